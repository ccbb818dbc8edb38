"""Celery tasks of the permits domain. Each takes ids (or nothing), is idempotent and may be retried.

Schedule `permits.tasks.consultations_apply_tacit_task` with Celery beat (e.g. every hour, or daily at 00:05
Africa/Casablanca): it gives the legal default opinion to consultations whose deadline day has ended.
`audit_checkpoint_task` and `audit_verify_task` run daily (config/settings.py): a failure of either is alerted.
"""

import logging

from celery import shared_task
from django.conf import settings

from permits import checkpoints
from permits.services import consultations_apply_tacit

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def consultations_apply_tacit_task() -> int:
    """Idempotent: only pending consultations change, each in its own transaction."""
    return len(consultations_apply_tacit())


@shared_task(ignore_result=True)
def audit_checkpoint_task() -> int | None:
    """Seal the audit chain's head; on failure, alert (log + e-mail) and fail. The sealed sequence, if any."""
    try:
        event = checkpoints.checkpoint_create()
    except Exception as error:  # any failure of the daily anchor must reach a person; raised again below
        checkpoints.audit_alert(what="checkpoint", problems=[f"{type(error).__name__}: {error}"])
        raise
    return None if event is None else int(event.payload["sequence"])


@shared_task(ignore_result=True)
def audit_verify_task() -> bool:
    """Verify the chain and its checkpoints (unanchored events older than the limit fail); alert on failure."""
    report = checkpoints.audit_trail_verify(max_unanchored_hours=settings.AUDIT_CHECKPOINT_MAX_UNANCHORED_HOURS)
    if not report.ok:
        checkpoints.audit_alert(what="verification", problems=report.problems())
    else:
        logger.info("audit trail intact: %s events, %s checkpoints", report.chain.checked, report.checkpoints.checked)
    return report.ok
