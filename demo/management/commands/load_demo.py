"""`manage.py load_demo`: load the shipped Cambridge demo extract (idempotent, quick)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.cambridge import DEMO_COMMUNE, demo_load
from gis_core.importing import ImportAborted, ImportInputError
from parcels.models import Parcel


class Command(BaseCommand):
    help = "Load the demo: Cambridge (MA) territories, agencies, zoning with rules, overlays and ~1,500 parcels."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force", action="store_true", help="reload even when the demo commune already has parcels"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["force"] and Parcel.objects.filter(commune__code=DEMO_COMMUNE).exists():
            # `make run` calls this every time: never clip fuller data (e.g. `make load-shared`) back to the extract.
            self.stdout.write("Demo already loaded (use --force to reload it).")
            return
        verbose = options["verbosity"] > 1
        try:
            summaries = demo_load(report=self.stdout.write if verbose else lambda line: None)
        except (ImportInputError, ImportAborted) as error:
            raise CommandError(f"the demo could not be loaded: {error}") from error
        parcels = next(summary for summary in summaries if summary.target == "parcels")
        self.stdout.write(
            f"Demo loaded: {len(summaries)} layers, {parcels.inserted + parcels.updated} parcels of Cambridge (MA)"
        )
