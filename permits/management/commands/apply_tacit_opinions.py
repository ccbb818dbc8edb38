"""`manage.py apply_tacit_opinions`: give the legal default opinion to consultations past their deadline."""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from permits.services import consultations_apply_tacit


class Command(BaseCommand):
    help = "Apply the procedure's tacit opinion to every pending consultation whose deadline has passed (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO date-time to run as (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            now = datetime.fromisoformat(options["now"])
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        applied = consultations_apply_tacit(now=now)
        self.stdout.write(f"Tacit opinions applied: {len(applied)}")
