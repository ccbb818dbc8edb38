"""The legal path is the only path: a file is decided only from its examination in a session of its commission with
the quorum, signed only when every PAdES signature of its decision's documents is given and verifies, published only
then; a procedure that needs no commission has its own path, for the role its catalogue names. Separation of duties:
an administrator (or a superuser) stands in for no president, member or signer; whoever instructed the file never
signs its decision alone; each signer signs only what is addressed to them. Every refusal for lack of permission
is a 403 that changes nothing and leaves an audit event, written after the refused transaction rolled back."""

import io
from typing import Any

import pytest

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from gis_core.signing.pki import DevelopmentPki
from permits import access, services, workflow
from permits.audit import audit_verify
from permits.commissions import services as commission_services
from permits.commissions.models import OutputDocument, OutputKind, SignatureRequest, SignatureStatus
from permits.errors import IllegalTransition, PermissionDenied
from permits.models import AuditEvent, Dossier, DossierStatus, Role, RoleMembership
from permits.refusals import REFUSED
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file, hold_session, latest
from tests.commissions.publishing import certify_signers, decided_file, pending_signatures, sign
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory
from tests.permits_api.conftest import PROBLEM, token_client
from tests.signing.pdf_factory import sample_pdf


def administrator(*, superuser: bool = False) -> Any:
    user = UserFactory.create(username="superuser" if superuser else "administrator", is_superuser=superuser)
    if not superuser:
        RoleMembership.objects.create(user=user, role=Role.ADMINISTRATOR, territory=None)
    return user


def web_client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def state_of(dossier: Dossier) -> tuple[Any, ...]:
    """What a refused action must leave as it was: the file's status and decision, its outputs and signatures."""
    dossier.refresh_from_db()
    requests = SignatureRequest.objects.filter(output__dossier=dossier).order_by("pk")
    return (
        dossier.status,
        dossier.decision,
        OutputDocument.objects.filter(dossier=dossier).count(),
        list(requests.values_list("pk", "status", "requested_at")),
        StoredDocument.objects.count(),
    )


def refusals(dossier: Dossier | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(action=REFUSED).order_by("sequence")
    return list(events.filter(dossier=dossier) if dossier is not None else events)


# --- the decision: only from an examination in session with the quorum ----------------------------------------


def test_a_file_is_decided_only_from_its_examination_in_a_session_with_the_quorum(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    president = world.staff["commission_president"]
    other = booked_file(world, session, 2)
    elsewhere = hold_session(world, session, other)
    before = state_of(dossier)
    with pytest.raises(IllegalTransition, match="examination in a session of its commission") as refused:
        services.dossier_decide(
            actor=president, address=ADDRESS, dossier=dossier, examination_id=None, decision="favourable"
        )
    assert refused.value.status == 409
    with pytest.raises(IllegalTransition, match="not the file's"):  # another file's examination
        services.dossier_decide(
            actor=president, address=ADDRESS, dossier=dossier, examination_id=elsewhere.pk, decision="favourable"
        )
    examination = hold_session(world, session, dossier)
    commission_services.session_attendance_record(  # corrected after the examination: the quorum is lost
        actor=president, address=ADDRESS, session=session, present_member_ids=[world.occasional.pk]
    )
    with pytest.raises(IllegalTransition, match="no quorum"):
        commission_services.examination_decide(
            actor=president, address=ADDRESS, examination=examination, decision="favourable"
        )
    assert state_of(dossier) == before
    assert not dossier.audit_events.filter(action="dossier.decide").exists()


def test_the_workflow_lists_the_decision_only_on_the_path_of_the_procedure(world: World, catalogue: None) -> None:
    dossier = booked_file(world, world.sessions()[0], 0)
    president, desk = world.staff["commission_president"], world.staff["desk_agent"]
    assert dossier.status == "in_commission"
    assert "decide" not in workflow.available_actions(dossier=dossier, actor=president), "offered once examined"
    declaration = declaration_file(world)
    assert workflow.available_actions(dossier=declaration, actor=desk) == [
        workflow.Action.ISSUE_REMARK,
        workflow.Action.DECIDE_WITHOUT_COMMISSION,
    ]  # never sent to a commission
    with pytest.raises(IllegalTransition, match="decided by its service without a commission"):
        services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=declaration)


# --- signed and published only when every PAdES signature verifies --------------------------------------------


def test_signed_only_when_every_signature_is_given_and_verifies(
    world: World, pki: DevelopmentPki, django_capture_on_commit_callbacks: Any
) -> None:
    certify_signers(world, pki)
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    signing, desk = world.staff["signing_authority"], world.staff["desk_agent"]
    with pytest.raises(IllegalTransition, match="signature"):  # nothing is signed yet
        services.dossier_sign(actor=signing, address=ADDRESS, dossier=dossier, signed_documents=[])
    first = SignatureRequest.objects.get(output__examination=examination, output__kind=OutputKind.MINUTES, position=1)
    sign(first, django_capture_on_commit_callbacks)
    # between the two PV signatures, someone replaces the PV by another document (a new version of its lineage)
    minutes = first.output
    document_store(
        stream=io.BytesIO(sample_pdf(1)),
        filename="pv-replaced.pdf",
        allowed_kinds=(DocumentKind.PDF,),
        supersedes=latest(minutes),
    )
    for request in pending_signatures(examination):
        sign(request, django_capture_on_commit_callbacks)  # the last one's completion is refused (and logged)
    assert not SignatureRequest.objects.filter(output__dossier=dossier, status=SignatureStatus.PENDING).exists()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED  # every request signed, but the PV does not verify
    with pytest.raises(IllegalTransition, match=r"does not verify.*pv-member-1"):
        services.dossier_sign(actor=signing, address=ADDRESS, dossier=dossier, signed_documents=[])
    with pytest.raises(IllegalTransition):  # nor published
        services.dossier_publish(actor=desk, address=ADDRESS, dossier=dossier)
    assert not dossier.audit_events.filter(action__in=["dossier.sign", "dossier.publish"]).exists()


# --- a procedure without commission: its own path ------------------------------------------------------------


@pytest.fixture
def catalogue(db: None) -> None:
    services.procedures_load()


def declaration_file(world: World) -> Dossier:
    """A simple declaration (decided by the economic-affairs service) of the world's commune, every opinion in."""
    from permits.models import Procedure
    from tests.permits.factories import give_all_opinions

    procedure = Procedure.objects.get(code="simple-declaration")
    dossier: Dossier = DossierFactory.create(
        procedure=procedure, commune=world.commune, footprint=None, use="retail", under_instruction=True
    )
    give_all_opinions(dossier)
    dossier.refresh_from_db()
    return dossier


def test_a_declaration_is_decided_by_its_service_then_signed_and_published(
    world: World, catalogue: None, pki: DevelopmentPki, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = declaration_file(world)
    president, desk = world.staff["commission_president"], world.staff["desk_agent"]
    with pytest.raises(PermissionDenied):  # the catalogue names the desk, not the president
        commission_services.service_decide(actor=president, address=ADDRESS, dossier=dossier, decision="favourable")
    assert [event.payload["action"] for event in refusals(dossier)] == ["commission.service_decision"]
    building = booked_file(world, world.sessions()[0], 0, in_commission=False)
    with pytest.raises(IllegalTransition, match="examination in a session of its commission"):
        commission_services.service_decide(actor=desk, address=ADDRESS, dossier=building, decision="favourable")
    with django_capture_on_commit_callbacks(execute=True):
        [decision] = commission_services.service_decide(
            actor=desk, address=ADDRESS, dossier=dossier, decision="favourable"
        )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED and decision.examination is None and decision.dossier == dossier
    [request] = decision.signature_requests.all()
    assert request.signer == world.staff["signing_authority"]  # of the commune: no commission here
    pki.user(request.signer.username)
    sign(request, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PUBLISHED
    actions = list(dossier.audit_events.order_by("sequence").values_list("action", flat=True))
    assert "dossier.decide_without_commission" in actions and actions[-2:] == ["dossier.sign", "dossier.publish"]
    signed = dossier.audit_events.get(action="dossier.sign").payload["signed_documents"]
    assert [(item["kind"], item["sha256"]) for item in signed] == [("decision", latest(decision).sha256)]


# --- separation of duties -------------------------------------------------------------------------------------


def test_an_administrator_or_a_superuser_stands_in_for_no_president_member_or_signer(world: World) -> None:
    dossier = booked_file(world, world.sessions()[0], 0)
    for user in (administrator(), administrator(superuser=True)):
        assert access.holds_role(user, dossier, Role.DESK_AGENT)  # the desk's work, within their scope
        for role in (Role.COMMISSION_PRESIDENT, Role.COMMISSION_MEMBER, Role.SIGNING_AUTHORITY):
            assert not access.holds_role(user, dossier, role), (user, role)
        assert workflow.available_actions(dossier=dossier, actor=user) == []  # in commission: the president's


def test_an_administrator_cannot_decide_a_403_that_changes_nothing_and_is_audited(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    admin = administrator()
    before = state_of(dossier)
    with pytest.raises(PermissionDenied) as refused:
        services.dossier_decide(
            actor=admin, address=ADDRESS, dossier=dossier, examination_id=examination.pk, decision="favourable"
        )
    assert refused.value.status == 403
    api = token_client(admin).post(
        f"/api/commission/examinations/{examination.pk}/decide/", {"decision": "favourable"}, format="json"
    )
    assert api.status_code == 403 and api["Content-Type"] == PROBLEM
    assert api.json()["title"] == "Not allowed" and "president" in api.json()["detail"]
    assert state_of(dossier) == before
    events = refusals(dossier)
    assert [(event.actor_id, event.payload["action"]) for event in events] == [
        (admin.pk, "dossier.decide"),
        (admin.pk, "commission.decision"),
    ]
    assert (
        events[-1].address == "127.0.0.1" and events[-1].payload["reason"] == "only the commission's president decides"
    )
    assert audit_verify().ok


def test_whoever_instructed_the_file_never_signs_its_decision_alone(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    desk = world.staff["desk_agent"]  # checked the file's completeness and sends it to the commission
    RoleMembership.objects.create(user=desk, role=Role.SIGNING_AUTHORITY, territory=world.commune)
    world.commission.signing_authority = desk  # ...and would sign its decision alone
    world.commission.save()
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    assert desk.pk in access.instructor_ids(dossier)
    examination = hold_session(world, session, dossier)
    president = world.staff["commission_president"]
    before = state_of(dossier)
    response = token_client(president).post(
        f"/api/commission/examinations/{examination.pk}/decide/", {"decision": "favourable"}, format="json"
    )
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert "cannot sign its decision alone" in response.json()["detail"]
    assert response.json()["rule"] == "separation_of_duties"
    assert state_of(dossier) == before  # not decided, no document stored, no signature laid out
    [event] = refusals(dossier)
    assert event.actor_id == president.pk and event.payload["rule"] == "separation_of_duties"
    page = web_client(president).post(
        f"/office/commission/examinations/{examination.pk}/decide/",
        {f"d{dossier.pk}-decision": "favourable"},
        follow=True,
    )
    assert "cannot sign its decision alone" in " ".join(str(message) for message in page.context["messages"])
    assert state_of(dossier) == before and len(refusals(dossier)) == 2
    assert audit_verify().ok


def test_their_signing_turn_is_refused_when_nobody_else_signs(world: World) -> None:
    desk = world.staff["desk_agent"]
    dossier = booked_file(world, world.sessions()[0], 0)
    document = document_store(stream=io.BytesIO(sample_pdf()), filename="decision.pdf")
    output = OutputDocument.objects.create(  # test data: a sequence `outputs_prepare` would refuse to lay out
        kind=OutputKind.DECISION, dossier=dossier, document=document, lineage=document.lineage
    )
    request = SignatureRequest.objects.create(output=output, signer=desk, position=1, field_name="decision-authority")
    before = state_of(dossier)
    response = token_client(desk).post(f"/api/commission/signatures/{request.pk}/sign/")
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert response.json()["rule"] == "separation_of_duties"
    assert state_of(dossier) == before  # not asked for: no task enqueued
    page = web_client(desk).post(f"/office/signatures/{request.pk}/sign/", follow=True)
    assert "cannot sign its decision alone" in " ".join(str(message) for message in page.context["messages"])
    assert state_of(dossier) == before
    assert [event.payload["action"] for event in refusals(dossier)] == ["commission.sign", "commission.sign"]
    other = UserFactory.create(username="second-signing-authority")  # a second signer: their own turn is legal
    SignatureRequest.objects.create(output=output, signer=other, position=2, field_name="decision-authority-2")
    assert token_client(desk).post(f"/api/commission/signatures/{request.pk}/sign/").status_code == 202


def test_each_signer_signs_only_what_is_addressed_to_them(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dossier, examination = decided_file(world, django_capture_on_commit_callbacks)
    decision = SignatureRequest.objects.get(output__examination=examination, output__kind=OutputKind.DECISION)
    before = state_of(dossier)
    for intruder in (administrator(), world.staff["commission_president"], world.permanent.user):
        with pytest.raises(PermissionDenied, match="someone else's"):
            commission_services.signature_request_sign(actor=intruder, address=ADDRESS, request=decision)
        # through the API the request is not theirs to find: 404, as for any id that is not the user's
        response = token_client(intruder).post(f"/api/commission/signatures/{decision.pk}/sign/")
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert state_of(dossier) == before
    assert [event.payload["request"] for event in refusals(dossier)] == [decision.pk] * 3


def test_the_web_refuses_an_administrators_decision_with_a_message(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    admin = administrator()
    client = web_client(admin)
    before = state_of(dossier)
    response = client.post(
        f"/office/commission/examinations/{examination.pk}/decide/",
        {f"d{dossier.pk}-decision": "favourable"},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["You are not allowed to do this. (only the commission's president decides)"]
    assert state_of(dossier) == before
    assert [event.payload["action"] for event in refusals(dossier)] == ["commission.decision"]


# --- the refusal's audit event survives the rollback, in a chain without gaps ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_refusal_is_audited_after_the_rollback_and_the_chain_has_no_gap() -> None:
    from tests.commissions.conftest import build_world

    world = build_world()
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    admin = administrator()
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    response = token_client(admin).post(
        f"/api/commission/examinations/{examination.pk}/decide/", {"decision": "favourable"}, format="json"
    )
    assert response.status_code == 403
    [event] = AuditEvent.objects.filter(sequence__gt=head)  # committed, alone: the refused work left nothing
    assert event.action == REFUSED and event.sequence == head + 1 and event.dossier_id == dossier.pk
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_COMMISSION and not OutputDocument.objects.filter(dossier=dossier)
    assert audit_verify().ok
