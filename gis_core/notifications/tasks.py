"""Celery tasks of the notification kernel, and how they are scheduled. They take ids and are idempotent.

- `delivery_send(delivery_id)`: one attempt (`sending.delivery_attempt`), retried with backoff by Celery;
  `delivery_send_on_commit(delivery_id=...)` schedules it when the caller's transaction commits (the services
  call it after writing a delivery);
- `delivery_resume_stale()`: Celery beat's safety net, enqueuing again the deliveries whose task was lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone

from gis_core.notifications.selectors import delivery_list_stale
from gis_core.notifications.sending import delivery_attempt

logger = logging.getLogger(__name__)

#: How long a delivery may wait in the queue before `delivery_resume_stale` enqueues it again.
STALE_AFTER = timedelta(minutes=15)


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


def delivery_send_on_commit(*, delivery_id: int) -> None:
    """Enqueue `delivery_send` for a delivery once the current transaction commits (at once in autocommit)."""
    # robust: a broker outage at commit time must not break the caller's request; the delivery stays pending,
    # visible, and `delivery_resume_stale` enqueues it again.
    transaction.on_commit(lambda: delivery_send.delay(delivery_id), robust=True)


@shared_task(ignore_result=True)
def delivery_resume_stale(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Enqueue again the deliveries whose task was lost (broker outage, purged queue); returns how many.

    Pending deliveries older than `stale_after`, and retrying ones `stale_after` past their retry time.
    A duplicate task is harmless: `delivery_attempt` locks the row and skips sent, failed and not-yet-due ones.
    Celery beat runs it every few minutes (`CELERY_BEAT_SCHEDULE`) with the default `stale_after`.
    """
    stale_before = timezone.now() - stale_after
    delivery_ids = list(delivery_list_stale(stale_before=stale_before).values_list("pk", flat=True))
    for delivery_id in delivery_ids:
        delivery_send_on_commit(delivery_id=delivery_id)
    if delivery_ids:
        logger.warning("re-enqueued %s stale notification deliveries", len(delivery_ids))
    return len(delivery_ids)
