"""The commissions' facts on the event bus, after the commit of the step that made them: the session held (its
attendance), the decision recorded with its outputs, each signature requested and given, the file published with
the documents released to the applicant; a refused step publishes nothing."""

from collections.abc import Iterator
from typing import Any

import pytest

from gis_core import events
from gis_core.signing.pki import DevelopmentPki
from permits.commissions import services
from permits.commissions.errors import PermissionDenied, SignatureOutOfTurn
from permits.commissions.models import OutputKind
from permits.commissions.published import published_outputs_for
from permits.events import DecisionRecorded, FilePublished, SessionHeld, SignatureGiven, SignatureRequested
from permits.models import DossierStatus
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file, hold_session
from tests.commissions.publishing import certify_signers, decided_file, pending_signatures, sign
from tests.permits.factories import ADDRESS


@pytest.fixture
def delivered() -> Iterator[list[events.Event]]:
    """Every event delivered after a commit, in order."""
    received: list[events.Event] = []
    events.event_subscribe(name=events.ALL_EVENTS, handler=received.append)
    yield received
    events.event_unsubscribe(name=events.ALL_EVENTS, handler=received.append)


def commission_events(delivered: list[events.Event]) -> list[events.Event]:
    return [event for event in delivered if event.name.startswith("commission.")]


def test_the_session_held_and_the_decision_recorded(
    world: World, delivered: list[events.Event], django_capture_on_commit_callbacks: Any
) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    president = world.staff["commission_president"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):  # refused: nothing
        services.session_attendance_record(
            actor=world.permanent.user, address=ADDRESS, session=session, present_member_ids=[world.permanent.pk]
        )
    assert commission_events(delivered) == []
    with django_capture_on_commit_callbacks(execute=True):
        examination = hold_session(world, session, dossier)
        assert commission_events(delivered) == []  # not before the commit
    assert commission_events(delivered) == [
        SessionHeld(
            session_id=session.pk,
            commission_id=world.commission.pk,
            actor_id=president.pk,
            present_member_ids=tuple(sorted([world.permanent.pk, world.occasional.pk])),
        )
    ]

    delivered.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.examination_decide(
            actor=president, address=ADDRESS, examination=examination, decision="favourable", motivation=""
        )
    outputs = tuple(examination.outputs.order_by("pk").values_list("pk", flat=True))
    assert {OutputKind(kind) for kind in examination.outputs.values_list("kind", flat=True)} == {
        OutputKind.MINUTES,
        OutputKind.DECISION,
        OutputKind.PLAN,
    }
    assert [event.name for event in delivered] == ["dossier.decide", "commission.decision_recorded"]
    assert delivered[-1] == DecisionRecorded(
        dossier_id=dossier.pk,
        actor_id=president.pk,
        session_id=session.pk,
        examination_id=examination.pk,
        decision="favourable",
        output_ids=outputs,
    )


def test_each_signature_requested_and_given_then_the_file_published(
    world: World, pki: DevelopmentPki, delivered: list[events.Event], django_capture_on_commit_callbacks: Any
) -> None:
    certify_signers(world, pki)
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    first, second = pending_signatures(examination)[:2]
    delivered.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SignatureOutOfTurn):  # refused: nothing
        services.signature_request_sign(actor=second.signer, address=ADDRESS, request=second)
    assert delivered == []

    sign(first, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.signed_document_id is not None
    assert commission_events(delivered) == [
        SignatureRequested(
            dossier_id=dossier.pk,
            actor_id=first.signer_id,
            request_id=first.pk,
            output_id=first.output_id,
            kind=OutputKind.MINUTES,
            field_name=first.field_name,
        ),
        SignatureGiven(
            dossier_id=dossier.pk,
            actor_id=first.signer_id,
            request_id=first.pk,
            output_id=first.output_id,
            kind=OutputKind.MINUTES,
            field_name=first.field_name,
            signed_document_id=first.signed_document_id,
        ),
    ]

    *others, last = pending_signatures(examination)
    for request in others:
        sign(request, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED and not any(isinstance(event, FilePublished) for event in delivered)
    delivered.clear()
    sign(last, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PUBLISHED
    assert [event.name for event in delivered] == [
        "commission.signature_requested",
        "commission.signature_given",
        "dossier.sign",
        "dossier.publish",
        "commission.file_published",
    ]
    released = tuple(item.output_id for item in published_outputs_for(dossier=dossier))
    assert set(released) == set(examination.outputs.values_list("pk", flat=True))  # PV, decision, plan
    assert delivered[-1] == FilePublished(
        dossier_id=dossier.pk,
        actor_id=world.staff["desk_agent"].pk,  # the commission's secretary publishes
        examination_id=examination.pk,
        output_ids=released,
    )
