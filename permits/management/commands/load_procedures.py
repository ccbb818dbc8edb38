"""`manage.py load_procedures [path]`: load the procedure catalogue (idempotent)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from permits.services.catalogue import DEFAULT_CATALOGUE, CatalogueError, procedures_load


class Command(BaseCommand):
    help = (
        "Create or update the uses, agencies and procedures of the catalogue "
        "(default: permits/fixtures/procedures.yaml)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_CATALOGUE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = procedures_load(path=options["path"])
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Catalogue loaded: {summary.procedures} procedures ({summary.created} new, "
            f"{summary.deactivated} no longer listed and deactivated), {summary.agencies} agencies, "
            f"{summary.uses} uses, {summary.activities} economic activities"
        )
