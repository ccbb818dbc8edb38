"""The agenda (ordre du jour): generated from the booked files, stored as a PDF, sent to the members by e-mail,
and shown in their workspace."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from gis_core.documents.models import StoredDocument
from gis_core.notifications.models import Delivery
from permits.commissions import selectors, services
from permits.commissions.models import OutputDocument, OutputKind
from permits.commissions.tasks import agendas_send_due_task
from tests.commissions.conftest import World, build_world
from tests.commissions.helpers import booked_file, latest, pdf_text
from tests.permits.factories import ADDRESS, DossierFactory
from tests.permits.test_concurrency import run_in_threads


def test_agenda_generated_with_the_booked_files_and_sent(
    world: World, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    session, other_session = world.sessions()[:2]
    second = booked_file(world, session, 3, in_commission=False)
    first = booked_file(world, session, 1)
    elsewhere = booked_file(world, other_session, 0, in_commission=False)
    not_booked = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    entries = selectors.agenda_entries(session=session)
    assert [entry.reference for entry in entries] == [first.reference, second.reference]

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.session_agenda_send(session=session)
    output = sent.output
    assert sent.sent
    text = pdf_text(latest(output))
    assert "Ordre du jour" in text and "جدول" in text  # (poppler splits the lam-alef ligature)
    assert str(first.reference) in text and str(second.reference) in text
    assert str(elsewhere.reference) not in text and str(not_booked.reference) not in text
    assert text.index(str(first.reference)) < text.index(str(second.reference))  # slot order

    recipients = sorted(address for mail in smtp.messages for address in mail.recipients)
    assert recipients == sorted([world.permanent.user.email, world.occasional.user.email])
    message = smtp.messages[0].message
    assert "Ordre du jour" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and first.reference in body.get_content()

    # the member's workspace shows the session with its agenda and the PDF
    workspace = selectors.member_workspace(user=world.permanent.user, now=session.starts_at)
    assert workspace[0].session == session
    assert [entry.dossier_id for entry in workspace[0].agenda] == [first.pk, second.pk]
    assert workspace[0].agenda_document == latest(output)
    outsider = User.objects.create(username="outsider")
    assert selectors.member_workspace(user=outsider, now=session.starts_at) == []

    # sent again, the agenda unchanged: nothing is generated, nobody is notified twice
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.session_agenda_send(session=session)
    assert not again.sent and again.output.pk == output.pk and latest(output).version == 1
    assert smtp.messages == []
    # the agenda changed (a file cancelled its booking): a new version of the same output, news for every member
    services.booking_cancel(actor=second.applicant, address=ADDRESS, booking=second.commission_bookings.get())
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.session_agenda_send(session=session)
    assert changed.sent and changed.output.pk == output.pk and latest(output).version == 2
    assert str(second.reference) not in pdf_text(latest(output))
    assert len(smtp.messages) == 2


def test_the_beat_task_sends_agendas_whose_booking_has_closed(world: World, settings: Any) -> None:
    world.commission.booking_cutoff_hours = 24 * 400  # every session of the fixture has closed its booking
    world.commission.save()
    assert agendas_send_due_task.delay().get() == 3
    assert OutputDocument.objects.filter(kind=OutputKind.AGENDA).count() == 3
    assert agendas_send_due_task.delay().get() == 0  # idempotent
    assert StoredDocument.objects.filter(original_filename__startswith="ordre-du-jour").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_agenda_task_run_twice_at_once_sends_each_agenda_once(smtp: Any) -> None:
    """Two beat runs at the same moment (each its own connection): one agenda document per session, one message
    per member and session; before the fix, the second run stored a second version and sent it again."""
    world = build_world()
    session = world.sessions()[0]
    booked_file(world, session, 0, in_commission=False)
    world.commission.booking_cutoff_hours = 24 * 400
    world.commission.save()
    outcomes = run_in_threads([agendas_send_due_task, agendas_send_due_task])
    assert outcomes == []
    agendas = OutputDocument.objects.filter(kind=OutputKind.AGENDA)
    assert agendas.count() == 3
    assert StoredDocument.objects.filter(lineage__in=agendas.values("lineage")).count() == 3  # one version each
    deliveries = Delivery.objects.filter(event_key="commission.agenda")
    assert deliveries.count() == 3 * 2  # three sessions, two members, one channel each
    assert agendas_send_due_task() == 0
