"""`manage.py verify_audit`: recompute the audit hash chain and check it against its sealed checkpoints.

Exit code 1 at the first broken link, or when a checkpoint does not verify or no longer matches the chain (a
history rewritten consistently after it); with `--max-unanchored-hours`, also when events older than that are
covered by no checkpoint (what the daily Celery task runs).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from permits.checkpoints import audit_trail_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit trail, check the latest sealed checkpoints against it, and report "
        "what does not hold (exit code 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=int,
            default=None,
            help="how many of the latest checkpoints to check (default: AUDIT_CHECKPOINT_VERIFY_COUNT; 0: all)",
        )
        parser.add_argument(
            "--max-unanchored-hours",
            type=float,
            default=None,
            help="fail when an event older than this is covered by no checkpoint (default: only report them)",
        )

    def handle(self, *args: Any, checkpoints: int | None, max_unanchored_hours: float | None, **options: Any) -> None:
        report = audit_trail_verify(checkpoints=checkpoints, max_unanchored_hours=max_unanchored_hours)
        if report.chain.ok:
            self.stdout.write(f"Audit trail intact: {report.chain.checked} events verified.")
        anchors = report.checkpoints
        if anchors.anchored_sequence is not None:
            self.stdout.write(
                f"Checkpoints: {anchors.checked} checked; the latest seals event #{anchors.anchored_sequence} "
                f"(timestamped {anchors.anchored_at.isoformat() if anchors.anchored_at else 'at an unknown time'}); "
                f"{anchors.unanchored} event(s) since."
            )
        else:
            self.stdout.write(f"Checkpoints: none verifies yet; {anchors.unanchored} event(s) not anchored.")
        if report.ok:
            return
        for problem in report.problems():
            self.stderr.write(f"Audit trail BROKEN: {problem}")
        raise SystemExit(1)
