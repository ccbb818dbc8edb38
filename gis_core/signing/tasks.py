"""Celery task of the signing kernel, and how it is scheduled: takes ids, idempotent (a field already signed is a
no-op). `pdf_sign_on_commit` enqueues it when the caller's transaction commits."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from gis_core.documents.models import StoredDocument
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


def pdf_sign_on_commit(
    *, document: StoredDocument, user: Any, field_name: str, reason: str = "", location: str = "", lock: bool = False
) -> None:
    """Enqueue the signing task when the current transaction commits (at once outside a transaction)."""
    arguments = {
        "document_id": str(document.pk),
        "user_id": user.pk,
        "field_name": field_name,
        "reason": reason,
        "location": location,
        "lock": lock,
    }
    transaction.on_commit(lambda: pdf_sign_task.delay(**arguments))
