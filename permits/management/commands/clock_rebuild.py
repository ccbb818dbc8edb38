"""`manage.py clock_rebuild [--all]`: replay the legal clock of the open files from their audit trail (the files
filed before the clock existed have none; `--all` also replays those that have one, e.g. after the catalogue's
limits changed). Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from permits import workflow
from permits.clock import clock_rebuild
from permits.models import Dossier


class Command(BaseCommand):
    help = "Replay the legal clock of the open files from their audit trail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="also the files that already have a clock")

    def handle(self, *args: Any, **options: Any) -> None:
        files = Dossier.objects.filter(status__in=list(workflow.FILED | {workflow.S.DECIDED}))
        if not options["all"]:
            files = files.filter(clock__isnull=True)
        count = 0
        for dossier_id in files.values_list("pk", flat=True):
            with transaction.atomic():
                dossier = Dossier.objects.select_for_update(of=("self",)).select_related("procedure").get(pk=dossier_id)
                clock_rebuild(dossier=dossier)
            count += 1
        self.stdout.write(f"{count} file clock(s) replayed")
