"""Celery task of the site inspections: the inspector's PAdES signature of a closed report (takes the inspection's
id; idempotent: a report already signed in the `inspector` field is not signed again). An inspector without a
signing certificate leaves the report stamped and unsigned (logged); the pages then say "report", not "signed
report"."""

import logging

from celery import shared_task

from gis_core.signing.errors import SignerUnavailable
from gis_core.signing.services import pdf_sign_for_user
from permits.inspections.models import Inspection
from permits.inspections.services import inspection_report_signed_record

logger = logging.getLogger(__name__)

FIELD_NAME = "inspector"


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
