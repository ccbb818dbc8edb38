"""List (and with --delete remove) stored files that no `StoredDocument` row refers to.

`document_store` removes its file when its own transaction fails; when the caller's outer transaction rolls back
after it, the file stays without a row. Such orphans are never documents (no row, nothing to audit); this
command finds them. Only files older than --older-than-hours are considered, so uploads in flight are left alone.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import documents_storage


def storage_keys(storage: Storage, directory: str = "") -> Iterator[str]:
    directories, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for name in directories:
        yield from storage_keys(storage, f"{directory}/{name}" if directory else name)


class Command(BaseCommand):
    help = "List stored files that no document row refers to; --delete removes them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=float, default=24.0)
        parser.add_argument("--delete", action="store_true", help="remove the orphans (default: only list them)")

    def handle(self, *args: Any, older_than_hours: float, delete: bool, **options: Any) -> None:
        storage = documents_storage()
        cutoff = timezone.now() - timedelta(hours=older_than_hours)
        orphans = 0
        for key in storage_keys(storage):
            if StoredDocument.objects.filter(storage_key=key).exists():
                continue
            if storage.get_modified_time(key) > cutoff:
                continue
            orphans += 1
            self.stdout.write(key)
            if delete:
                storage.delete(key)
        action = "removed" if delete else "found"
        self.stderr.write(f"{orphans} orphan file(s) {action}")
