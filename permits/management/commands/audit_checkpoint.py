"""`manage.py audit_checkpoint`: seal the audit chain's head now (what the daily Celery task does)."""

from typing import Any

from django.core.management.base import BaseCommand

from permits.checkpoints import checkpoint_create


class Command(BaseCommand):
    help = "Seal the audit chain's current head in a signed, timestamped PDF kept in the document store."

    def handle(self, *args: Any, **options: Any) -> None:
        event = checkpoint_create()
        if event is None:
            self.stdout.write("The audit trail is empty: nothing to seal.")
            return
        self.stdout.write(
            f"Checkpoint #{event.sequence}: event #{event.payload['sequence']} sealed "
            f"(document {event.payload['document']}, SHA-256 {event.payload['sha256']})."
        )
