"""Deliveries end to end against real servers: SMTP (aiosmtpd), an HTTP SMS gateway, PostGIS, Celery.

Nothing is mocked: e-mails cross a real SMTP session, SMS a real HTTP request; the on-commit scheduling runs
either eagerly in this process or through Redis to a real worker process.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from gis_core.notifications.models import Delivery, DeliveryAttempt
from gis_core.notifications.selectors import delivery_attempt_list, delivery_list_failed
from gis_core.notifications.sending import delivery_backoff_seconds
from gis_core.notifications.services import (
    InvalidNotification,
    delivery_redact_personal_data,
    delivery_requeue,
    notification_idempotency_key,
    notification_render,
    notification_schedule,
    notification_schedule_event,
)
from gis_core.notifications.tasks import delivery_resume_stale, delivery_send
from tests.notifications.conftest import (
    REFUSED_DOMAIN,
    CeleryWorker,
    GatewayReply,
    SmsGateway,
    SmtpServer,
    free_port,
    point_producer_at,
    wait_for,
)

ARABIC_SUBJECT = "تم إيداع ملفكم CASA-ANFA/2026/000123"
ARABIC_MESSAGE = "توصلنا بطلب رخصة البناء الخاص بكم، وسيتم فحصه من طرف اللجنة."


def schedule_email(recipient: str = "applicant@example.org", *, key: str = "k-email", **overrides: Any) -> Delivery:
    arguments: dict[str, Any] = {
        "channel": "email",
        "recipient": recipient,
        "language": "fr",
        "subject": "Dossier déposé",
        "body": "Votre dossier a été déposé.\n",
        "event_key": "dossier.submitted",
        "idempotency_key": key,
    }
    arguments.update(overrides)
    return notification_schedule(**arguments)


def schedule_sms(recipient: str = "+212 600-112233", *, key: str = "k-sms", text: str = "Dossier déposé") -> Delivery:
    return notification_schedule(
        channel="sms",
        recipient=recipient,
        language="fr",
        subject="",
        body=text,
        event_key="dossier.submitted",
        idempotency_key=key,
    )


def outcomes(delivery: Delivery) -> list[str]:
    return [attempt.outcome for attempt in delivery_attempt_list(delivery_id=delivery.pk)]


# --- e-mail ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_in_arabic_reaches_the_smtp_server(
    smtp: SmtpServer, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    rendered = notification_render(
        event_key="generic",
        language="ar",
        context={"subject": ARABIC_SUBJECT, "message": ARABIC_MESSAGE, "reference": "CASA-ANFA/2026/000123"},
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = schedule_email(
            "applicant@example.org",
            language="ar",
            subject=rendered.subject,
            body=rendered.body,
            html_body=rendered.html_body,
        )
    assert len(callbacks) == 1

    [mail] = smtp.messages
    assert mail.recipients == ["applicant@example.org"]
    assert mail.mail_from == "no-reply@urbaplan.test"
    message = mail.message
    # Python folds the encoded subject onto a continuation line; unfolding leaves the fold's space in front.
    assert str(message["Subject"]).strip() == ARABIC_SUBJECT
    assert message["To"] == "applicant@example.org"
    assert message["Content-Language"] == "ar"
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    assert ARABIC_MESSAGE in text_part.get_content()
    assert "CASA-ANFA/2026/000123" in text_part.get_content()
    assert 'dir="rtl"' in html_part.get_content()
    assert text_part.get_content_charset() == "utf-8"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None
    assert delivery.provider_message_id == str(message["Message-ID"]).strip()
    assert outcomes(delivery) == ["sent"]


@pytest.mark.django_db
def test_refused_recipient_fails_at_once_without_retry(
    smtp: SmtpServer, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_email(f"nobody@{REFUSED_DOMAIN}")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert "550" in delivery.last_error
    assert REFUSED_DOMAIN not in delivery.last_error  # the error text keeps no address
    assert DeliveryAttempt.objects.get(delivery=delivery).permanent
    assert smtp.messages == []


@pytest.mark.django_db
def test_smtp_server_down_retries_then_records_failure(
    smtp: SmtpServer, settings: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_PORT = free_port()
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_email()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert "ConnectionRefusedError" in delivery.last_error
    assert outcomes(delivery) == ["failed", "failed", "failed"]
    assert list(delivery_list_failed()) == [delivery]


# --- SMS ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sms_success_records_the_provider_id(
    sms_gateway: SmsGateway, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    sms_gateway.script(GatewayReply(201, {"id": "gw-4711", "status": "queued"}))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms(text=ARABIC_MESSAGE)

    [request] = sms_gateway.requests
    assert request["path"] == "/v1/messages"
    assert request["authorization"] == f"Bearer {sms_gateway.token}"
    assert request["content_type"].startswith("application/json")
    assert request["json"] == {"to": "+212600112233", "text": ARABIC_MESSAGE, "sender": "URBAPLAN"}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.provider_message_id == "gw-4711"
    assert delivery.recipient == "+212600112233"


@pytest.mark.django_db
def test_sms_gateway_error_then_success_is_retried_then_sent(
    sms_gateway: SmsGateway, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    sms_gateway.script(GatewayReply(500, {"error": "internal"}), GatewayReply(200, {"id": "gw-2"}))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert delivery.provider_message_id == "gw-2"
    assert "HTTP 500" in delivery.last_error  # the earlier failure stays visible
    attempts = list(delivery_attempt_list(delivery_id=delivery.pk))
    assert [(a.number, a.outcome) for a in attempts] == [(1, "failed"), (2, "sent")]
    assert "HTTP 500" in attempts[0].error and not attempts[0].permanent
    assert len(sms_gateway.requests) == 2


@pytest.mark.django_db
def test_sms_gateway_timeout_is_a_transient_failure(
    sms_gateway: SmsGateway, settings: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_GATEWAY_TIMEOUT = 0.3
    sms_gateway.script(GatewayReply(200, {"id": "too-late"}, delay=1.0), GatewayReply(200, {"id": "gw-ok"}))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.provider_message_id == "gw-ok"
    assert outcomes(delivery) == ["failed", "sent"]
    assert "timed out" in DeliveryAttempt.objects.get(delivery=delivery, number=1).error


@pytest.mark.django_db
def test_sms_gateway_down_ends_failed_with_the_error_recorded(
    sms_gateway: SmsGateway, settings: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/v1/messages"
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 5
    assert "unreachable" in delivery.last_error and "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at is None
    assert outcomes(delivery) == ["failed"] * 5
    assert delivery in delivery_list_failed()


@pytest.mark.django_db
def test_sms_rejected_request_is_a_permanent_failure(
    sms_gateway: SmsGateway, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    sms_gateway.script(GatewayReply(400, {"error": "invalid number"}))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert "HTTP 400" in delivery.last_error and "invalid number" in delivery.last_error


@pytest.mark.django_db
def test_unconfigured_sms_gateway_fails_visibly(
    sms_gateway: SmsGateway, settings: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_GATEWAY_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "SMS_GATEWAY_URL" in delivery.last_error


@pytest.mark.django_db
def test_a_failed_delivery_can_be_requeued_by_an_operator(
    sms_gateway: SmsGateway, settings: Any, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    working_url = settings.SMS_GATEWAY_URL
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/v1/messages"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        delivery = schedule_sms()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED

    settings.SMS_GATEWAY_URL = working_url
    with django_capture_on_commit_callbacks(execute=True):
        delivery_requeue(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert outcomes(delivery) == ["failed", "failed", "sent"]
    with pytest.raises(InvalidNotification):
        delivery_requeue(delivery_id=delivery.pk)


# --- transactions and idempotency --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rollback_of_the_callers_transaction_sends_nothing(smtp: SmtpServer, celery_eager: None) -> None:
    class CallerFailed(Exception):
        pass

    with pytest.raises(CallerFailed), transaction.atomic():
        schedule_email("rolled-back@example.org", key="k-rollback")
        raise CallerFailed

    assert not Delivery.objects.filter(idempotency_key="k-rollback").exists()
    assert smtp.messages == []

    with transaction.atomic():  # the same call, committed this time, is sent on commit
        delivery = schedule_email("committed@example.org", key="k-commit")
        assert smtp.messages == []  # not before the commit
    assert [mail.recipients for mail in smtp.messages] == [["committed@example.org"]]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


@pytest.mark.django_db
def test_the_same_idempotency_key_is_sent_once(
    smtp: SmtpServer, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    key = notification_idempotency_key(
        event_key="dossier.submitted", reference="CASA-ANFA/2026/000123", channel="email", recipient="a@example.org"
    )
    assert key == notification_idempotency_key(
        event_key="dossier.submitted", reference="CASA-ANFA/2026/000123", channel="email", recipient="A@example.org"
    )
    assert "a@example.org" not in key
    with django_capture_on_commit_callbacks(execute=True) as first:
        delivery = schedule_email("a@example.org", key=key)
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = schedule_email("a@example.org", key=key, body="Une seconde fois.\n")
    assert again.pk == delivery.pk
    assert (len(first), len(second)) == (1, 0)
    assert Delivery.objects.filter(idempotency_key=key).count() == 1

    delivery_send.apply(args=[delivery.pk])  # a duplicate task (redelivery) does not send again
    assert len(smtp.messages) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_a_task_for_a_missing_delivery_does_nothing(celery_eager: None) -> None:
    assert delivery_send.apply(args=[987654321]).get() == "missing"


# --- validation, rendering, backoff ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": "fax"}, "unknown channel"),
        ({"language": "de"}, "unknown language"),
        ({"recipient": "not-an-address"}, "malformed e-mail"),
        ({"channel": "sms", "recipient": "call me"}, "malformed phone"),
        ({"body": "  "}, "empty message body"),
    ],
)
def test_invalid_notifications_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidNotification, match=message):
        schedule_email(**overrides)
    assert not Delivery.objects.exists()


def test_render_falls_back_to_french_and_keeps_plain_text_unescaped(settings: Any, tmp_path: Any) -> None:
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "only.french.fr.txt").write_text("Sujet : {{ name }}\n\nBonjour {{ name }} & bienvenue.\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    rendered = notification_render(event_key="only.french", language="en", context={"name": "Aït & Fils <SARL>"})
    assert rendered.subject == "Sujet : Aït & Fils <SARL>"
    assert rendered.body == "Bonjour Aït & Fils <SARL> & bienvenue.\n"
    assert rendered.html_body == ""

    with pytest.raises(InvalidNotification, match="no notification template"):
        notification_render(event_key="no.such.event", language="fr", context={})


def test_shipped_templates_render_in_every_language() -> None:
    for language in ("fr", "ar", "en"):
        rendered = notification_render(
            event_key="status.changed", language=language, context={"reference": "R-1", "status_label": "OK"}
        )
        assert "R-1" in rendered.subject and "R-1" in rendered.body
        generic = notification_render(event_key="generic", language=language, context={"subject": "S", "message": "M"})
        assert generic.subject == "S" and "M" in generic.body and generic.html_body.startswith("<!DOCTYPE html>")


def test_backoff_is_exponential_and_capped(settings: Any) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 600
    assert [delivery_backoff_seconds(attempt=n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db
def test_failed_deliveries_are_listed_in_the_admin(admin_client: Any) -> None:
    Delivery.objects.create(
        channel="sms",
        recipient="+212600000000",
        language="fr",
        body="x",
        event_key="dossier.submitted",
        idempotency_key="k-admin",
        status=Delivery.Status.FAILED,
        attempts=5,
        last_error="SMS gateway HTTP 503",
    )
    response = admin_client.get("/admin/notifications/delivery/", {"status__exact": "failed"})
    assert response.status_code == 200
    assert b"dossier.submitted" in response.content


# --- a real Celery worker ----------------------------------------------------------------------------------


def test_a_real_worker_delivers_on_commit_and_retries_with_backoff(
    celery_worker: CeleryWorker, smtp: SmtpServer, sms_gateway: SmsGateway
) -> None:
    sms_gateway.script(GatewayReply(503, {"error": "busy"}), GatewayReply(200, {"id": "gw-worker"}))
    with transaction.atomic():
        email_delivery = schedule_email("worker@example.org", key="k-worker-email", language="ar", body=ARABIC_MESSAGE)
        sms_delivery = schedule_sms(key="k-worker-sms")

    def both_done() -> bool:
        statuses = set(Delivery.objects.filter(pk__in=[email_delivery.pk, sms_delivery.pk]).values_list("status"))
        return statuses <= {("sent",), ("failed",)}

    wait_for(both_done, timeout=30, what="the worker to send both deliveries", details=celery_worker.log_tail)
    email_delivery.refresh_from_db()
    sms_delivery.refresh_from_db()
    assert email_delivery.status == Delivery.Status.SENT, celery_worker.log_tail()
    [mail] = smtp.messages
    assert mail.recipients == ["worker@example.org"]
    text_part = mail.message.get_body(preferencelist=("plain",))
    assert text_part is not None and ARABIC_MESSAGE in text_part.get_content()
    assert sms_delivery.status == Delivery.Status.SENT, celery_worker.log_tail()
    assert sms_delivery.provider_message_id == "gw-worker"
    assert outcomes(sms_delivery) == ["failed", "sent"]
    first, second = delivery_attempt_list(delivery_id=sms_delivery.pk)
    assert (second.created_at - first.created_at).total_seconds() >= 0.15  # the countdown was honoured


# --- safety nets -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_at_commit_keeps_the_delivery_pending_until_resumed(
    smtp: SmtpServer, celery_eager: None
) -> None:
    celery_app.conf.task_always_eager = False
    saved_broker_url = celery_app.conf.broker_url
    point_producer_at(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with transaction.atomic():
            delivery = schedule_email("outage@example.org", key="k-outage")
        # The caller's commit went through; the enqueue failed and was logged, the row waits.
    finally:
        point_producer_at(saved_broker_url)
        celery_app.conf.task_always_eager = True
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert smtp.messages == []

    assert delivery_resume_stale(stale_after=timedelta(hours=1)) == 0  # not stale yet
    assert delivery_resume_stale(stale_after=timedelta(0)) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [mail.recipients for mail in smtp.messages] == [["outage@example.org"]]


@pytest.mark.django_db
def test_a_duplicate_task_before_the_retry_time_does_nothing(sms_gateway: SmsGateway, celery_eager: None) -> None:
    delivery = Delivery.objects.create(
        channel="sms",
        recipient="+212600000001",
        language="fr",
        body="x",
        event_key="dossier.submitted",
        idempotency_key="k-not-due",
        status=Delivery.Status.RETRYING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    assert delivery_send.apply(args=[delivery.pk]).get() == "not-due"
    assert sms_gateway.requests == []
    delivery.refresh_from_db()
    assert delivery.attempts == 1


@pytest.mark.django_db
def test_personal_data_of_old_finished_deliveries_is_redacted(
    smtp: SmtpServer, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = schedule_email("old@example.org", key="k-old")
    waiting = Delivery.objects.create(
        channel="sms", recipient="+212600000002", language="fr", body="x", event_key="e", idempotency_key="k-wait"
    )
    assert delivery_redact_personal_data(created_before=timezone.now() + timedelta(seconds=1)) == 1
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.recipient, sent.body, sent.status) == ("[redacted]", "[redacted]", Delivery.Status.SENT)
    assert waiting.recipient == "+212600000002"  # not finished: kept
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_email("old@example.org", key="k-old")  # still blocked by its key
    assert callbacks == []


@pytest.mark.django_db
def test_schedule_event_renders_keys_and_sends_once_per_channel(
    smtp: SmtpServer, sms_gateway: SmsGateway, celery_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    context = {"reference": "CASA-ANFA/2026/000123", "status_label": "مودع"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # the second round is a no-op
            email_delivery = notification_schedule_event(
                channel="email",
                recipient="applicant@example.org",
                language="ar",
                event_key="status.changed",
                reference="CASA-ANFA/2026/000123",
                context=context,
            )
            sms_delivery = notification_schedule_event(
                channel="sms",
                recipient="+212600112233",
                language="ar",
                event_key="status.changed",
                reference="CASA-ANFA/2026/000123",
                context=context,
            )
    assert Delivery.objects.count() == 2
    [mail] = smtp.messages
    assert str(mail.message["Subject"]).strip() == "ملفكم CASA-ANFA/2026/000123: مودع"
    [request] = sms_gateway.requests
    assert "CASA-ANFA/2026/000123" in request["json"]["text"] and "مودع" in request["json"]["text"]
    email_delivery.refresh_from_db()
    sms_delivery.refresh_from_db()
    assert (email_delivery.status, sms_delivery.status) == ("sent", "sent")
