"""Notifications of a file's major events, end to end against a real SMTP server and a real HTTP SMS gateway.

The subscribers run inside the services' transactions; deliveries are sent by the Celery task, run in-process
here, once the transaction commits (`django_capture_on_commit_callbacks(execute=True)` plays the commit).
"""

from typing import Any

import pytest
from django.db import transaction

from gis_core import events
from gis_core.notifications.models import Delivery
from gis_core.notifications.services import notification_render
from permits import services
from permits.events import DossierEvent
from permits.models import Consultation, DossierStatus, Language, Role, RoleMembership
from permits.notifications import TEMPLATES
from tests.factories import AgencyFactory
from tests.notifications.conftest import SmsGateway, SmtpServer
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory, application_signature_write, member_for

pytestmark = pytest.mark.django_db

ARABIC_PHONE = "+212 600-112233"


def arabic_applicant() -> Any:
    applicant = UserFactory.create(username="amina", first_name="أمينة", email="amina@example.org")
    services.profile_update(
        user=applicant, phone=ARABIC_PHONE, preferred_language=Language.ARABIC, notify_by_email=True, notify_by_sms=True
    )
    return applicant


def has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


def test_every_template_renders_in_every_language() -> None:
    context = {"reference": "CASA-ANFA/2026/000001", "link": "/dossiers/1/", "status_label": "x", "name": "n"}
    for template in TEMPLATES:
        for language in ("fr", "ar", "en"):
            message = notification_render(event_key=template, language=language, context=context)
            assert "CASA-ANFA/2026/000001" in message.subject + message.body, (template, language)
            assert "/dossiers/1/" in message.body
            assert has_arabic(message.subject) == (language == "ar"), (template, language)


def test_applicant_in_arabic_gets_email_and_sms_at_submission(
    smtp: SmtpServer, sms_gateway: SmsGateway, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = DossierFactory.create(applicant=arabic_applicant())
    with django_capture_on_commit_callbacks(execute=True):
        application_signature_write(dossier)  # the applicant's signature (test data)
        dossier = services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)

    [mail] = smtp.messages
    assert mail.recipients == ["amina@example.org"]
    subject = str(mail.message["Subject"]).strip()
    assert dossier.reference and dossier.reference in subject and has_arabic(subject)
    assert mail.message["Content-Language"] == "ar"
    text = mail.message.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    assert "أمينة" in body and f"/files/{dossier.pk}/" in body
    assert "مودع، في انتظار التحقق من الاكتمال" in body  # the new status, in Arabic

    [sms] = sms_gateway.requests
    assert sms["json"]["to"] == "+212600112233"
    assert dossier.reference in sms["json"]["text"] and has_arabic(sms["json"]["text"])
    deliveries = Delivery.objects.filter(event_key="dossier.submitted")
    assert sorted(deliveries.values_list("channel", "language", "status")) == [
        ("email", "ar", "sent"),
        ("sms", "ar", "sent"),
    ]


def test_members_of_consulted_agencies_get_the_dispatch(
    smtp: SmtpServer, django_capture_on_commit_callbacks: Any, staff: dict[str, Any]
) -> None:
    dossier = DossierFactory.create(submitted=True, commune=staff["desk_agent"].permit_roles.get().territory)
    member = member_for(dossier.procedure.permanent_members.get().agency)
    outsider = UserFactory.create(username="other-agency-member")
    RoleMembership.objects.create(
        user=outsider, role=Role.COMMISSION_MEMBER, agency=AgencyFactory.create(code="NOT-ME")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_check_completeness(actor=staff["desk_agent"], address=ADDRESS, dossier=dossier, complete=True)

    dossier.refresh_from_db()
    deadline = Consultation.objects.get(dossier=dossier).deadline
    received = {tuple(mail.recipients): mail for mail in smtp.messages}
    assert (member.email,) in received and (outsider.email,) not in received
    part = received[(member.email,)].message.get_body(preferencelist=("plain",))
    assert part is not None and dossier.reference
    body = part.get_content()
    assert dossier.reference in body and deadline.isoformat() in body and f"/files/{dossier.pk}/" in body
    applicant_mail = received[(dossier.applicant.email,)]  # the applicant hears the file is under instruction
    assert dossier.reference in str(applicant_mail.message["Subject"])


def test_a_rolled_back_service_sends_nothing(
    smtp: SmtpServer, sms_gateway: SmsGateway, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = DossierFactory.create(applicant=arabic_applicant())

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        application_signature_write(dossier)  # the applicant's signature (test data)
        services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
        assert Delivery.objects.filter(event_key="dossier.submitted").count() == 2  # written in the transaction
        raise Abort

    assert not Delivery.objects.exists()
    assert smtp.messages == [] and sms_gateway.requests == []
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT


def test_an_event_published_twice_is_sent_once(
    smtp: SmtpServer, sms_gateway: SmsGateway, django_capture_on_commit_callbacks: Any
) -> None:
    collected: list[DossierEvent] = []
    events.event_subscribe(name="dossier.submit", handler=collected.append)
    try:
        dossier = DossierFactory.create(applicant=arabic_applicant())
        with django_capture_on_commit_callbacks(execute=True):
            application_signature_write(dossier)  # the applicant's signature (test data)
            services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    finally:
        events.event_unsubscribe(name="dossier.submit", handler=collected.append)
    [event] = collected
    with django_capture_on_commit_callbacks(execute=True):
        events.event_publish(event=event)

    assert len(smtp.messages) == 1 and len(sms_gateway.requests) == 1
    assert Delivery.objects.count() == 2


def test_a_second_filing_is_notified_again(smtp: SmtpServer, django_capture_on_commit_callbacks: Any) -> None:
    dossier = DossierFactory.create(incomplete=True)
    with django_capture_on_commit_callbacks(execute=True):
        application_signature_write(dossier)  # the applicant's signature (test data)
        services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    keys = list(Delivery.objects.order_by("pk").values_list("event_key", flat=True))
    assert keys == ["dossier.submitted", "dossier.incomplete", "dossier.submitted"]
    [mail] = smtp.messages  # the factory's own steps ran without a commit: only the second filing was sent
    assert mail.recipients == [dossier.applicant.email]
    assert dossier.reference and dossier.reference in str(mail.message["Subject"])


def test_desk_hears_of_opinions_and_replies(django_capture_on_commit_callbacks: Any, staff: dict[str, Any]) -> None:
    desk = staff["desk_agent"]
    dossier = DossierFactory.create(awaiting_applicant=True, commune=desk.permit_roles.get().territory)
    remark = dossier.remarks.get()
    services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="Done.")
    services.opinion_give(
        actor=member_for(dossier.procedure.permanent_members.get().agency),
        address=ADDRESS,
        consultation=Consultation.objects.get(dossier=dossier, round__number=2),
        opinion="favourable",
    )
    to_desk = Delivery.objects.filter(recipient=desk.email).values_list("event_key", flat=True)
    assert sorted(to_desk) == ["consultation.opinion_given", "dossier.reply_received"]
    to_applicant = set(Delivery.objects.filter(recipient=dossier.applicant.email).values_list("event_key", flat=True))
    assert {"dossier.submitted", "dossier.under_instruction", "dossier.remarks_sent"} <= to_applicant


def test_user_without_email_channel_gets_only_sms(sms_gateway: SmsGateway, smtp: SmtpServer) -> None:
    applicant = UserFactory.create(username="sms-only", email="sms-only@example.org")
    services.profile_update(user=applicant, phone="+212611223344", notify_by_email=False, notify_by_sms=True)
    dossier = DossierFactory.create(applicant=applicant, submitted=True)
    assert list(Delivery.objects.filter(event_key="dossier.submitted").values_list("channel", "language")) == [
        ("sms", "fr")
    ]
    assert dossier.status == DossierStatus.SUBMITTED
