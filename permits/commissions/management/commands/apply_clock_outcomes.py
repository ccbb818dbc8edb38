"""`manage.py apply_clock_outcomes [--date YYYY-MM-DD]`: what the beat task does, by hand: the file clocks'
reminders, escalations and tacit decisions due on that day (today by default). Idempotent."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from permits.commissions.tasks import clock_outcomes_apply


class Command(BaseCommand):
    help = "Apply the outcomes of the files' legal clocks due today: reminders, escalations, tacit decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to apply them for (YYYY-MM-DD); default: today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        summary = clock_outcomes_apply(today=today)
        self.stdout.write(
            f"{summary['reminders']} reminder(s), {summary['escalations']} escalation(s), "
            f"{summary['tacit_decisions']} tacit decision(s) for {today.isoformat()}"
        )
