"""`manage.py load_shared_data [DIR]`: import the real datasets of ../shared/data through the import pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.shared_data import shared_data_load
from gis_core.importing import ImportAborted, ImportInputError


class Command(BaseCommand):
    help = "Import Morocco's regions/provinces/communes, Cambridge's parcels/zoning/overlays and Paris 18e parcels."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("data", nargs="?", type=Path, default=None, help="the shared data folder")

    def handle(self, *args: Any, **options: Any) -> None:
        data = options["data"] or Path(settings.SHARED_DATA_DIR)
        if not data.is_dir():
            raise CommandError(f"{data} is not a folder: give the shared data folder as argument")
        try:
            shared_data_load(data=data, report=self.stdout.write)
        except (ImportInputError, ImportAborted) as error:
            raise CommandError(str(error)) from error
