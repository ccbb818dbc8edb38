"""Celery tasks of the notification kernel. They take ids and are idempotent; the logic lives in `services`."""

from __future__ import annotations

from celery import Task, shared_task

from gis_core.notifications.services import delivery_attempt
from gis_core.notifications.services import delivery_resume_stale as resume_stale


@shared_task(bind=True, ignore_result=True, acks_late=True, max_retries=None)
def delivery_send(self: Task, delivery_id: int) -> str:
    """Send one delivery; on a transient failure retry with exponential backoff (the service bounds the attempts).

    Returns the delivery's status. A sent or failed delivery is never sent again, so a duplicate or
    redelivered message is harmless.
    """
    outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def delivery_resume_stale() -> int:
    """Periodic safety net (Celery beat, every few minutes): enqueue again deliveries whose task was lost."""
    return resume_stale()
