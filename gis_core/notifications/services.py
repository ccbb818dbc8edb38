"""Writes of the notification kernel: render, schedule on commit, requeue, redact.

How a domain app notifies someone, inside its own transaction, in one call:

    notification_schedule_event(channel="email", recipient=email, language="ar", event_key="dossier.submitted",
                                reference=dossier.reference, context={...})

or, step by step:

    message = notification_render(event_key="dossier.submitted", language="ar", context={...})
    notification_schedule(channel="email", recipient=email, language="ar", subject=message.subject,
                          body=message.body, html_body=message.html_body, event_key="dossier.submitted",
                          idempotency_key=notification_idempotency_key(event_key=..., reference=..., ...))

The delivery row is written in the caller's transaction and `tasks.delivery_send` is enqueued only when that
transaction commits (`tasks.delivery_send_on_commit`): a rollback sends nothing. The idempotency key makes a second
schedule of the same event to the same recipient a no-op. Sending itself is `sending.delivery_attempt` (run by the
task), idempotent: a sent or failed delivery is not sent again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone, translation

from gis_core.notifications.models import Delivery
from gis_core.notifications.tasks import delivery_send_on_commit
from gis_core.problems import BadInput

FALLBACK_LANGUAGE = Delivery.Language.FR.value
REDACTED = "[redacted]"
TEMPLATE_DIRECTORY = "notifications"
#: An international phone number: optional +, 6 to 15 digits (E.164), spaces/dashes/dots allowed in input.
PHONE_PATTERN = re.compile(r"^\+?[0-9]{6,15}$")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


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
    secret: bool = False,
) -> Delivery:
    """Record a delivery (once per idempotency key) and send it by Celery when the caller's transaction commits.

    A second call with the same idempotency key returns the existing delivery and schedules nothing. `secret`: the
    text carries a one-time code or a link that verifies, signs in or resets; it is removed once sent.
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
            "secret": secret,
        },
    )
    if created:
        delivery_send_on_commit(delivery_id=delivery.pk)
    return delivery


def notification_schedule_event(
    *,
    channel: str,
    recipient: str,
    language: str,
    event_key: str,
    reference: str,
    context: dict[str, Any],
    secret: bool = False,
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
        secret=secret,
    )


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
    delivery_send_on_commit(delivery_id=delivery.pk)
    return delivery


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
