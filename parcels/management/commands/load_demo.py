"""`manage.py load_demo`: load the shipped Cambridge demo extract (idempotent, quick)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gis_core.importing import ImportAborted, ImportInputError
from parcels.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo: Cambridge (MA) territories, agencies, zoning with rules, overlays and ~1,500 parcels."

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] > 1
        try:
            summaries = demo_load(report=self.stdout.write if verbose else lambda line: None)
        except (ImportInputError, ImportAborted) as error:
            raise CommandError(f"the demo could not be loaded: {error}") from error
        parcels = next(summary for summary in summaries if summary.target == "parcels")
        self.stdout.write(
            f"Demo loaded: {len(summaries)} layers, {parcels.inserted + parcels.updated} parcels of Cambridge (MA)"
        )
