"""`manage.py demo_files`: the tour's files, one of every procedure in every state it has, made through the real
services and the legal path (idempotent: files already there are left as they are). Needs `load_demo`."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DemoAccountsRefused, demo_accounts_ensure, development_pki
from demo.cambridge import DEMO_COMMUNE
from demo.common import DemoDataMissing
from demo.tour import demo_files_ensure
from gis_core.models import Territory


class Command(BaseCommand):
    help = "Make the tour's files: every procedure in every state, several published (after load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        commune = Territory.objects.filter(code=DEMO_COMMUNE).first()
        if commune is None:
            raise CommandError(f"commune {DEMO_COMMUNE} is missing: run `manage.py load_demo` first")
        try:
            demo_accounts_ensure(commune=commune, pki=development_pki())
            # Signatures run in-process (demo.common); notifications wait for the worker, which sends them on start.
            summary = demo_files_ensure(report=self.stdout.write)
        except (DemoAccountsRefused, DemoDataMissing) as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Demo files: {len(summary.created)} made, {summary.existing} already there ({seconds:.1f} s)."
        )
