"""Writes of the notification kernel: render, schedule on commit, attempt, requeue, resume lost tasks, redact.

How a domain app notifies someone, inside its own transaction, in one call:

    notification_schedule_event(channel="email", recipient=email, language="ar", event_key="dossier.submitted",
                                reference=dossier.reference, context={...})

or, step by step:

    message = notification_render(event_key="dossier.submitted", language="ar", context={...})
    notification_schedule(channel="email", recipient=email, language="ar", subject=message.subject,
                          body=message.body, html_body=message.html_body, event_key="dossier.submitted",
                          idempotency_key=notification_idempotency_key(event_key=..., reference=..., ...))

The delivery row is written in the caller's transaction and `tasks.delivery_send` is enqueued only when that
transaction commits: a rollback sends nothing. The idempotency key makes a second schedule of the same event to
the same recipient a no-op. `delivery_attempt` (run by the task) is idempotent: a sent or failed delivery is
not sent again.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone, translation

from gis_core.notifications.channels import ChannelError, OutgoingMessage, channel_for
from gis_core.notifications.models import Delivery, DeliveryAttempt
from gis_core.notifications.selectors import delivery_list_stale
from gis_core.problems import BadInput

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = Delivery.Language.FR.value
REDACTED = "[redacted]"
TEMPLATE_DIRECTORY = "notifications"
#: An international phone number: optional +, 6 to 15 digits (E.164), spaces/dashes/dots allowed in input.
PHONE_PATTERN = re.compile(r"^\+?[0-9]{6,15}$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
#: A retry that arrives this much before its time (clock skew between hosts) still runs.
EARLY_RETRY_TOLERANCE = timedelta(seconds=30)
#: How long a delivery may wait in the queue before `delivery_resume_stale` enqueues it again.
STALE_AFTER = timedelta(minutes=15)


class InvalidNotification(BadInput):
    """A notification that cannot be scheduled: unknown channel or language, malformed recipient."""

    title = "Invalid notification"


class NotificationTemplateMissing(InvalidNotification):
    """No template for this event, neither in the requested language nor in French."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    body: str
    html_body: str = ""


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one attempt decided: the delivery's status now and, when it must be retried, in how many seconds."""

    status: str
    retry_in: float | None = None


def _template_name(event_key: str, language: str, extension: str) -> str:
    return f"{TEMPLATE_DIRECTORY}/{event_key}.{language}.{extension}"


def _render_first(names: list[str], context: dict[str, Any], language: str, *, autoescape: bool) -> str | None:
    """Render the first template of `names` that exists (plain text is rendered without HTML escaping)."""
    for name in names:
        try:
            template = Engine.get_default().get_template(name)
        except TemplateDoesNotExist:
            continue
        with translation.override(language):
            return template.render(Context(context, autoescape=autoescape))
    return None


def notification_render(*, event_key: str, language: str, context: dict[str, Any]) -> RenderedMessage:
    """Subject, text body and optional HTML body of an event's message in a language (French when missing).

    Templates: `notifications/<event_key>.<language>.txt`, whose first line is the subject and the rest (after
    one blank line) the body, rendered without HTML escaping; optionally `notifications/<event_key>.<language>.html`
    (escaped) for the HTML part. Both fall back to French separately. Generic templates shipped here: `generic`
    (context: subject, message, name, reference, link) and `status.changed` (reference, status_label, name, link).
    """
    languages = [language] if language == FALLBACK_LANGUAGE else [language, FALLBACK_LANGUAGE]
    text_names = [_template_name(event_key, code, "txt") for code in languages]
    text = _render_first(text_names, context, language, autoescape=False)
    if text is None:
        raise NotificationTemplateMissing(f"no notification template for {event_key!r}", event_key=event_key)
    subject, _, body = text.strip().partition("\n")
    html_names = [_template_name(event_key, code, "html") for code in languages]
    html = _render_first(html_names, context, language, autoescape=True)
    return RenderedMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", html_body=(html or "").strip())


def notification_idempotency_key(*, event_key: str, reference: str, channel: str, recipient: str) -> str:
    """A stable key for "this event of this object, to this recipient on this channel" (hashed: no personal data)."""
    digest = hashlib.sha256(f"{event_key}\x1f{reference}\x1f{channel}\x1f{recipient.lower()}".encode()).hexdigest()
    return f"{event_key}:{digest[:40]}"


def _normalised_recipient(channel: str, recipient: str) -> str:
    recipient = recipient.strip()
    if channel == Delivery.Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError as error:
            raise InvalidNotification("malformed e-mail address", channel=channel) from error
        return recipient
    phone = PHONE_SEPARATORS.sub("", recipient)
    if not PHONE_PATTERN.match(phone):
        raise InvalidNotification("malformed phone number", channel=channel)
    return phone


@transaction.atomic
def notification_schedule(
    *,
    channel: str,
    recipient: str,
    language: str,
    subject: str,
    body: str,
    event_key: str,
    idempotency_key: str,
    html_body: str = "",
) -> Delivery:
    """Record a delivery (once per idempotency key) and send it by Celery when the caller's transaction commits.

    A second call with the same idempotency key returns the existing delivery and schedules nothing.
    """
    if channel not in Delivery.Channel.values:
        raise InvalidNotification(f"unknown channel {channel!r}", channel=channel)
    if language not in Delivery.Language.values:
        raise InvalidNotification(f"unknown language {language!r}", language=language)
    if not body.strip():
        raise InvalidNotification("empty message body")
    if not idempotency_key or not event_key:
        raise InvalidNotification("event_key and idempotency_key are required")
    delivery, created = Delivery.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "channel": channel,
            "recipient": _normalised_recipient(channel, recipient),
            "language": language,
            "subject": subject.strip()[:255],
            "body": body,
            "html_body": html_body,
            "event_key": event_key,
        },
    )
    if created:
        delivery_enqueue_on_commit(delivery_id=delivery.pk)
    return delivery


def notification_schedule_event(
    *, channel: str, recipient: str, language: str, event_key: str, reference: str, context: dict[str, Any]
) -> Delivery:
    """Render an event's templates and schedule them, keyed on (event, reference, channel, recipient).

    `reference` names the object and occurrence ("CASA-ANFA/2026/000123" or "...#round-2"): the same event of
    the same reference reaches a recipient once on each channel.
    """
    message = notification_render(event_key=event_key, language=language, context=context)
    return notification_schedule(
        channel=channel,
        recipient=recipient,
        language=language,
        subject=message.subject,
        body=message.body,
        html_body=message.html_body if channel == Delivery.Channel.EMAIL else "",
        event_key=event_key,
        idempotency_key=notification_idempotency_key(
            event_key=event_key, reference=reference, channel=channel, recipient=recipient
        ),
    )


def delivery_enqueue_on_commit(*, delivery_id: int) -> None:
    """Enqueue `delivery_send` for a delivery once the current transaction commits (at once in autocommit)."""
    from gis_core.notifications.tasks import delivery_send  # tasks import this module

    # robust: a broker outage at commit time must not break the caller's request; the delivery stays pending,
    # visible, and `delivery_resume_stale` enqueues it again.
    transaction.on_commit(lambda: delivery_send.delay(delivery_id), robust=True)


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


@transaction.atomic
def delivery_requeue(*, delivery_id: int) -> Delivery:
    """Give a failed delivery a new series of attempts (an operator's decision, e.g. after fixing the gateway)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != Delivery.Status.FAILED:
        raise InvalidNotification(f"delivery {delivery_id} is {delivery.status}, not failed")
    delivery.status = Delivery.Status.PENDING
    delivery.requeued_after_attempts = delivery.attempts
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "requeued_after_attempts", "next_attempt_at", "updated_at"])
    delivery_enqueue_on_commit(delivery_id=delivery.pk)
    return delivery


def delivery_resume_stale(*, stale_after: timedelta = STALE_AFTER) -> int:
    """Enqueue again the deliveries whose task was lost (broker outage, purged queue); returns how many.

    Pending deliveries older than `stale_after`, and retrying ones `stale_after` past their retry time.
    A duplicate task is harmless: `delivery_attempt` locks the row and skips sent, failed and not-yet-due ones.
    Run it periodically (Celery beat: `gis_core.notifications.tasks.delivery_resume_stale`).
    """
    stale_before = timezone.now() - stale_after
    delivery_ids = list(delivery_list_stale(stale_before=stale_before).values_list("pk", flat=True))
    for delivery_id in delivery_ids:
        delivery_enqueue_on_commit(delivery_id=delivery_id)
    if delivery_ids:
        logger.warning("re-enqueued %s stale notification deliveries", len(delivery_ids))
    return len(delivery_ids)


@transaction.atomic
def delivery_redact_personal_data(*, created_before: datetime) -> int:
    """Blank the recipient and text of finished deliveries created before a date (retention); returns how many.

    Status, attempts, errors and keys stay for statistics and audit; the idempotency key keeps blocking duplicates.
    """
    return (
        Delivery.objects.filter(
            created_at__lt=created_before, status__in=[Delivery.Status.SENT, Delivery.Status.FAILED]
        )
        .exclude(recipient=REDACTED)
        .update(recipient=REDACTED, subject="", body=REDACTED, html_body="", updated_at=timezone.now())
    )
