"""Sending one delivery: one attempt through its channel, recorded, and the decision to retry (and when).

`delivery_attempt` is what `tasks.delivery_send` runs. It is idempotent: a sent or failed delivery is left alone,
and the row is locked while sending, so a redelivered task never sends twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gis_core.notifications.channels import ChannelError, OutgoingMessage, channel_for
from gis_core.notifications.models import SECRET_SENT, Delivery, DeliveryAttempt

logger = logging.getLogger(__name__)

#: A retry that arrives this much before its time (clock skew between hosts) still runs.
EARLY_RETRY_TOLERANCE = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one attempt decided: the delivery's status now and, when it must be retried, in how many seconds."""

    status: str
    retry_in: float | None = None


def delivery_backoff_seconds(*, attempt: int) -> float:
    """Wait before the attempt after `attempt`: base x 2^(attempt-1), capped (30 s, 1 min, 2 min... by default)."""
    base = float(settings.NOTIFICATIONS_RETRY_BASE_SECONDS)
    return min(float(settings.NOTIFICATIONS_RETRY_MAX_SECONDS), base * 2 ** max(attempt - 1, 0))


def _record_attempt(
    delivery: Delivery, *, number: int, provider_message_id: str = "", error: str = "", permanent: bool = False
) -> AttemptOutcome:
    """Write one attempt and the delivery's new state; decide whether and when to retry."""
    now = timezone.now()
    delivery.attempts = number
    retry_in: float | None = None
    if not error:
        outcome = DeliveryAttempt.Outcome.SENT
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.provider_message_id = provider_message_id[:255]
        delivery.next_attempt_at = None
        if delivery.secret:  # delivered: nobody needs the code or link any more (a failed one keeps it to be resent)
            delivery.subject, delivery.body, delivery.html_body = "", SECRET_SENT, ""
    else:
        outcome = DeliveryAttempt.Outcome.FAILED
        delivery.last_error = error
        if permanent or number - delivery.requeued_after_attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            retry_in = delivery_backoff_seconds(attempt=number)
            delivery.status = Delivery.Status.RETRYING
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        outcome=outcome,
        permanent=permanent,
        error=error,
        provider_message_id=provider_message_id[:255],
    )
    delivery.save()
    if delivery.status == Delivery.Status.FAILED:
        logger.error("notification delivery %s failed after %s attempt(s): %s", delivery.pk, number, error)
    return AttemptOutcome(status=delivery.status, retry_in=retry_in)


def _not_due_yet(delivery: Delivery) -> bool:
    if delivery.status != Delivery.Status.RETRYING or delivery.next_attempt_at is None:
        return False
    return delivery.next_attempt_at - timezone.now() > EARLY_RETRY_TOLERANCE


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome:
    """Try to send a delivery once. Idempotent: a sent or failed delivery is left alone.

    The row is locked while sending, so two workers (a redelivered task) never send the same delivery twice.
    Channel failures are recorded and retried until `NOTIFICATIONS_MAX_ATTEMPTS`; an unexpected error is
    recorded as a permanent failure, then raised again.
    """
    unexpected: Exception | None = None
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            logger.warning("notification delivery %s does not exist (rolled back or purged)", delivery_id)
            return AttemptOutcome(status="missing")
        if delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
            return AttemptOutcome(status=delivery.status)
        if _not_due_yet(delivery):
            # A duplicate task (e.g. from `delivery_resume_stale`) while the scheduled retry is still to come.
            return AttemptOutcome(status="not-due")
        number = delivery.attempts + 1
        message = OutgoingMessage(
            recipient=delivery.recipient,
            subject=delivery.subject,
            body=delivery.body,
            html_body=delivery.html_body,
            language=delivery.language,
            reference=f"delivery-{delivery.pk}",
        )
        try:
            provider_message_id = channel_for(delivery.channel).send(message)
        except ChannelError as error:
            return _record_attempt(delivery, number=number, error=str(error), permanent=error.permanent)
        except Exception as error:
            unexpected = error
            outcome = _record_attempt(
                delivery, number=number, error=f"unexpected {type(error).__name__}: {error}", permanent=True
            )
        else:
            outcome = _record_attempt(delivery, number=number, provider_message_id=provider_message_id)
    if unexpected is not None:
        raise unexpected
    return outcome
