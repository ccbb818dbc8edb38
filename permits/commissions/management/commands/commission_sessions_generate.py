"""`manage.py commission_sessions_generate [--weeks N] [--today YYYY-MM-DD] [--commission ID]` (idempotent)."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from permits.commissions.models import Commission
from permits.commissions.scheduling import sessions_generate


class Command(BaseCommand):
    help = "Generate commission sessions from their recurring schedules, skipping public holidays (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=8)
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument("--commission", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        commission = Commission.objects.get(pk=options["commission"]) if options["commission"] else None
        result = sessions_generate(weeks=options["weeks"], today=options["today"], commission=commission)
        skipped = ", ".join(day.isoformat() for day in result.skipped_holidays) or "none"
        self.stdout.write(f"{len(result.created)} session(s) created; holidays skipped: {skipped}")
