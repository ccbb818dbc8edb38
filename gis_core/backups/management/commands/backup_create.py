"""`manage.py backup_create --output DIR`: back up the database and the document store into a new directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.backups.errors import BackupError
from gis_core.backups.services import backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump of one snapshot) and every stored document it refers to into a new "
        "directory, with a manifest written last; exit code 1 (and nothing kept) on failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="a new (or empty) directory")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args: Any, output: Path, database: str, **options: Any) -> None:
        try:
            manifest = backup_create(output=output.resolve(), alias=database, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Backup FAILED: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup complete in {output}: database {manifest.database.name} "
                f"({manifest.database.dump.size_bytes} bytes), {manifest.documents.count} document(s) "
                f"({manifest.documents.size_bytes} bytes)."
            )
        )
