"""`opendata_refresh [--date D] [--from D --to D]`: compute the indicator snapshots of a day or a range (default
yesterday); each day replaces its own rows and is logged as a `RefreshRun`."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from opendata.indicators import days_between, indicators_refresh


class Command(BaseCommand):
    help = "Compute the open-data indicator snapshots of a day (default yesterday) or a range of days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day of a range")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day of a range")

    def handle(self, *args: Any, **options: Any) -> None:
        day, first, last = options["date"], options["first"], options["last"]
        if day and (first or last):
            raise CommandError("give --date or --from/--to, not both")
        if (first is None) != (last is None):
            raise CommandError("--from and --to go together")
        if first and last and first > last:
            raise CommandError("--from is after --to")
        days = days_between(first, last) if first and last else [day or timezone.localdate() - timedelta(days=1)]
        for each in days:
            run = indicators_refresh(day=each)
            self.stdout.write(f"{each}: {run.rows} rows")
