"""`opendata_refresh [--date D] [--from D --to D] [--period day|month|year]`: compute the indicator snapshots of
a day or a range (default yesterday), then of the months and years containing them (to date); `--period` computes
one granularity only. Each period replaces its own rows and is logged as a `RefreshRun`."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opendata.indicators import days_between, periods_refresh
from opendata.models import Period


class Command(BaseCommand):
    help = (
        "Compute the open-data indicator snapshots of a day (default yesterday) or a range of days, then of the "
        "months and years containing them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day of a range")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day of a range")
        parser.add_argument("--period", choices=Period.values, help="one granularity only (default: all three)")

    def handle(self, *args: Any, **options: Any) -> None:
        day, first, last = options["date"], options["first"], options["last"]
        if day and (first or last):
            raise CommandError("give --date or --from/--to, not both")
        if (first is None) != (last is None):
            raise CommandError("--from and --to go together")
        if first and last and first > last:
            raise CommandError("--from is after --to")
        days = days_between(first, last) if first and last else [day or timezone.localdate() - timedelta(days=1)]
        periods = (Period(options["period"]),) if options["period"] else tuple(Period)
        for run in periods_refresh(days=days, periods=periods):
            self.stdout.write(f"{run.period} {run.day}: {run.rows} rows")
