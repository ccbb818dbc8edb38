"""Celery tasks of the site inspections:

- `inspection_report_sign_task(inspection_id)`: the inspector's PAdES signature of a closed report (idempotent: a
  report already signed in the `inspector` field is not signed again). An inspector without a signing certificate
  leaves the report stamped and unsigned (logged); the pages then say "report", not "signed report".
- `inspection_reports_resume_task` (beat): the safety net, like the commissions' `signature_requests_resume_task`:
  each report closed more than `REPORT_STALE_AFTER` ago (within `REPORT_RESUME_WITHIN`) and still unsigned has its
  signature's task enqueued again (a duplicate is harmless).
"""

import functools
import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from gis_core.signing.errors import SignerUnavailable
from gis_core.signing.services import pdf_sign_for_user
from permits.inspections.models import Inspection
from permits.inspections.selectors import REPORT_FIELD, reports_to_sign
from permits.inspections.services import inspection_report_signed_record

logger = logging.getLogger(__name__)

FIELD_NAME = REPORT_FIELD
#: How long a closed report may wait for its signature before the beat job enqueues it again, and for how long.
REPORT_STALE_AFTER = timedelta(minutes=15)
REPORT_RESUME_WITHIN = timedelta(days=2)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def inspection_report_sign_task(inspection_id: int) -> None:
    inspection = Inspection.objects.get(pk=inspection_id)
    if inspection.report is None or inspection.closed_by_id is None:
        logger.warning("inspection %s has no closed report to sign", inspection_id)
        return
    from gis_core.signing.models import SignatureRecord

    if SignatureRecord.objects.filter(lineage=inspection.report.lineage, field_name=FIELD_NAME).exists():
        return
    try:
        record = pdf_sign_for_user(
            document_id=inspection.report_id,
            user_id=inspection.closed_by_id,
            field_name=FIELD_NAME,
            reason="Rapport de récolement / تقرير المعاينة",
        )
    except SignerUnavailable as error:  # the report stays stamped (QR code, SHA-256 in the audit trail), unsigned
        logger.warning("inspection %s: the report is not signed: %s", inspection_id, error)
        return
    inspection_report_signed_record(inspection_id=inspection_id, signed_document=record.document, record=record)


@shared_task(ignore_result=True)
def inspection_reports_resume_task(*, stale_after_seconds: float | None = None) -> int:
    """Enqueue again the signatures of closed reports whose task was lost; returns how many."""
    stale_after = timedelta(seconds=stale_after_seconds) if stale_after_seconds is not None else REPORT_STALE_AFTER
    now = timezone.now()
    inspection_ids = reports_to_sign(closed_before=now - stale_after, closed_after=now - REPORT_RESUME_WITHIN)
    for inspection_id in inspection_ids:  # robust: a broker still down leaves the report for the next run
        transaction.on_commit(
            functools.partial(inspection_report_sign_task.delay, inspection_id=inspection_id), robust=True
        )
    if inspection_ids:
        logger.warning("re-enqueued the signature of %s closed inspection report(s)", len(inspection_ids))
    return len(inspection_ids)
