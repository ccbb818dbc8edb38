"""`manage.py verify_audit`: recompute the audit hash chain; exit code 1 at the first broken link."""

from typing import Any

from django.core.management.base import BaseCommand

from permits.audit import audit_verify


class Command(BaseCommand):
    help = "Recompute the hash chain of the audit trail and report the first broken link (exit code 1)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.ok:
            self.stdout.write(f"Audit trail intact: {report.checked} events verified.")
            return
        assert report.broken is not None
        self.stderr.write(
            f"Audit trail BROKEN at event #{report.broken.sequence}: {report.broken.reason} "
            f"({report.checked} events verified before it)."
        )
        raise SystemExit(1)
