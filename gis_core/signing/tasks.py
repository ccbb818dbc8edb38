"""Celery task of the signing kernel: takes ids, idempotent (a field already signed is a no-op)."""

from __future__ import annotations

from celery import shared_task

from gis_core.signing.services import pdf_sign_for_user


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def pdf_sign_task(
    *, document_id: str, user_id: int, field_name: str, reason: str = "", location: str = "", lock: bool = False
) -> str:
    """Sign the latest version of the document as the user; returns the id of the signed version."""
    record = pdf_sign_for_user(
        document_id=document_id, user_id=user_id, field_name=field_name, reason=reason, location=location, lock=lock
    )
    return str(record.document_id)
