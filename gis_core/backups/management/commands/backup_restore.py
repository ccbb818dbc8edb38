"""`manage.py backup_restore --input DIR`: restore a backup into the configured, empty installation."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.backups.errors import BackupError
from gis_core.backups.services import backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_create into the configured installation, which must be empty (database "
        "and document store): files checked first, database restored in one transaction, every document checked "
        "after. --check-only checks the backup and touches nothing. Exit code 1 on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, type=Path, help="the backup directory")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument("--check-only", action="store_true", help="only check the backup against its manifest")

    def handle(self, *args: Any, input: Path, database: str, check_only: bool, **options: Any) -> None:
        try:
            if check_only:
                manifest = backup_verify(source=input.resolve(), progress=self.stdout.write)
                self.stdout.write(self.style.SUCCESS(f"Backup intact: made {manifest.completed_at}."))
                return
            report = backup_restore(source=input.resolve(), alias=database, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(f"Restore FAILED: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore complete into {report.database}: {report.documents} document(s) checked. Next: "
                "`manage.py migrate`, then `manage.py verify_audit` (docs/operations.md)."
            )
        )
