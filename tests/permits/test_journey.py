"""The full journey through the services on the shipped catalogue: draft -> published, with automatic dispatch
(permanent members, an occasional agency from an overlay touching the footprint, one from the project's size),
mandatory documents before filing,
opinions, one remarks round with replies and revised plans (a new round, the earlier one kept), a tacit opinion
at the deadline, then the legal path: the commission's session with the quorum, the president's decision from the
examination, the PAdES signatures (the last one signs and publishes the file); no decision nor signature any other
way; events after commit; the audit chain intact."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gis_core import events
from parcels.models import Agency, OverlayKind
from permits import selectors, services
from permits.audit import audit_verify
from permits.errors import IllegalTransition, InvalidDossier, PermissionDenied
from permits.models import (
    ConsultationStatus,
    DossierStatus,
    OpinionValue,
    Procedure,
    RemarkStatus,
    Role,
    RoleMembership,
)
from permits.services import mandates as mandate_services
from tests.factories import OverlayFactory, ParcelFactory, box
from tests.legal_path import LegalPath
from tests.permits.factories import (
    ADDRESS,
    FOOTPRINT,
    UserFactory,
    application_sign,
    documents_attach_mandatory,
    member_for,
    upload_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected_events() -> Any:
    received: list[events.Event] = []
    events.event_subscribe(name=events.ALL_EVENTS, handler=received.append)
    yield received
    events.event_unsubscribe(name=events.ALL_EVENTS, handler=received.append)


def test_draft_to_published(
    catalogue: None,
    commune: Any,
    staff: dict[str, Any],
    collected_events: list[Any],
    django_capture_on_commit_callbacks: Any,
    legal_path: LegalPath,
) -> None:
    procedure = Procedure.objects.get(code="building-permit")
    heritage = Agency.objects.get(code="MCULTURE")
    airports = Agency.objects.get(code="ONDA")
    OverlayFactory.create(commune=commune, kind=OverlayKind.HERITAGE, agency=heritage)  # touches the footprint
    OverlayFactory.create(
        commune=commune, kind=OverlayKind.AIRPORT, agency=airports, geom=box(-71.0, 42.0, -70.99, 42.01)
    )  # far away
    parcel = ParcelFactory.create(commune=commune)
    applicant = UserFactory.create(username="applicant", email_verified=True)
    architect = UserFactory.create(username="architect")
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    desk = staff["desk_agent"]
    mandate = mandate_services.mandate_invite(actor=architect, address=ADDRESS, email=applicant.email)
    mandate_services.mandate_accept(actor=applicant, address=ADDRESS, mandate=mandate)

    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.dossier_create(
            actor=architect,
            address=ADDRESS,
            applicant=applicant,
            procedure=procedure,
            commune=commune,
            parcels=[parcel],
            footprint=FOOTPRINT.json,
            title="Four-storey house",
            height_m=11.5,
            floors=3,
            gross_floor_area_m2=650.0,
            use="residential",
            units=4,
        )
        assert dossier.architect == architect and dossier.applicant == applicant
        with pytest.raises(IllegalTransition) as refused:  # the mandatory documents are not uploaded yet
            services.dossier_submit(actor=architect, address=ADDRESS, dossier=dossier)
        assert "architectural-plans" in refused.value.extra["missing_documents"]
        uploads = documents_attach_mandatory(dossier)
        with pytest.raises(IllegalTransition, match="not signed yet"):  # the applicant signs the form first
            services.dossier_submit(actor=architect, address=ADDRESS, dossier=dossier)
        application_sign(dossier)  # the applicant: consent, a code by e-mail, the code typed; sealed
        dossier = services.dossier_submit(actor=architect, address=ADDRESS, dossier=dossier)
    year = timezone.localdate().year
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.reference == f"CASA-ANFA/{year}/000001"
    assert dossier.precheck["status"] in {"passed", "failed"}
    assert any(check["rule"] == "footprint_inside_site" for check in dossier.precheck["checks"])
    names = [event.name for event in collected_events]
    assert names == ["dossier.created", *["dossier.document_uploaded"] * len(uploads), "dossier.submit"]

    dossier = services.dossier_check_completeness(actor=desk, address=ADDRESS, dossier=dossier, complete=True)
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION and dossier.current_round == 1
    consultations = {c.agency.code: c for c in dossier.consultations.select_related("agency")}
    assert set(consultations) == {"AUC", "COMMUNE", "AUTORITE-LOCALE", "MCULTURE", "PROTECTION-CIVILE"}
    assert consultations["AUC"].permanent and not consultations["MCULTURE"].permanent
    assert consultations["MCULTURE"].reasons[0]["rule"] == "overlay"
    assert consultations["PROTECTION-CIVILE"].reasons[0]["rule"] == "gross_floor_area_above"
    deadlines = selectors.consultation_deadlines(dossier=dossier)
    assert all(row.business_days_remaining == 10 for row in deadlines)

    services.opinion_give(
        actor=member_for(heritage),
        address=ADDRESS,
        consultation=consultations["MCULTURE"],
        opinion=OpinionValue.FAVOURABLE_WITH_RESERVATIONS,
        motivation="Keep the facade line of the historic district.",
    )
    desk_remark = services.remark_issue(actor=desk, address=ADDRESS, dossier=dossier, text="Dimension the setbacks.")
    heritage_remark = services.remark_issue(
        actor=member_for(heritage),
        address=ADDRESS,
        dossier=dossier,
        text="Use the district's roofing material.",
        document_reference="architectural-plans",
        location={"page": 2, "x": 0.4, "y": 0.7},
    )
    assert heritage_remark.agency == heritage
    with pytest.raises(PermissionDenied):  # ONDA is not consulted on this file
        services.remark_issue(actor=member_for(airports), address=ADDRESS, dossier=dossier, text="?")
    dossier = services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)
    assert dossier.status == DossierStatus.AWAITING_APPLICANT

    services.remark_reply(actor=applicant, address=ADDRESS, remark=desk_remark, text="Setbacks dimensioned.")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_APPLICANT  # one remark still open
    revised = services.document_upload(
        actor=architect,
        address=ADDRESS,
        dossier=dossier,
        document_type="revised-plan",
        uploaded_file=upload_file("roof.pdf"),
        supersedes=next(upload for upload in uploads if upload.document_type == "architectural-plans"),
    )
    with pytest.raises(InvalidDossier):  # only documents uploaded in this round can be attached
        services.remark_reply(
            actor=architect, address=ADDRESS, remark=heritage_remark, text="Roof revised.", attachments=[uploads[0].pk]
        )
    reply = services.remark_reply(
        actor=architect, address=ADDRESS, remark=heritage_remark, text="Roof revised.", attachments=[revised.pk]
    )
    assert reply.attachments == [revised.pk] and revised.round_number == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION and dossier.current_round == 2
    rounds = list(selectors.dossier_rounds(dossier=dossier))
    assert [r.number for r in rounds] == [1, 2] and rounds[0].closed_at is not None
    first_round = {c.agency.code: c.status for c in rounds[0].consultations.all()}
    assert first_round["MCULTURE"] == ConsultationStatus.GIVEN
    assert first_round["AUC"] == ConsultationStatus.CLOSED
    assert rounds[1].consultations.filter(status=ConsultationStatus.PENDING).count() == 5

    with pytest.raises(IllegalTransition):  # answered remarks are not closed yet, opinions missing
        services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)
    services.remark_close(actor=desk, address=ADDRESS, remark=desk_remark)
    services.remark_close(actor=member_for(heritage), address=ADDRESS, remark=heritage_remark)
    assert set(dossier.remarks.values_list("status", flat=True)) == {RemarkStatus.CLOSED}

    silent = None
    for consultation in dossier.consultations.filter(round__number=2).select_related("agency"):
        if consultation.agency.code == "AUTORITE-LOCALE":
            silent = consultation
            continue
        services.opinion_give(
            actor=member_for(consultation.agency),
            address=ADDRESS,
            consultation=consultation,
            opinion=OpinionValue.FAVOURABLE,
        )
    assert silent is not None
    assert services.consultations_apply_tacit(now=timezone.now()) == []  # not yet
    after_deadline = timezone.make_aware(datetime.combine(silent.deadline + timedelta(days=1), datetime.min.time()))
    assert services.consultations_apply_tacit(now=after_deadline) == [silent.pk]
    assert services.consultations_apply_tacit(now=after_deadline) == []  # idempotent
    silent.refresh_from_db()
    assert (silent.status, silent.opinion) == (ConsultationStatus.TACIT, procedure.tacit_opinion)

    dossier = services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)
    assert dossier.status == DossierStatus.IN_COMMISSION
    president = staff["commission_president"]
    with pytest.raises(IllegalTransition, match="must state them"):
        services.dossier_decide(
            actor=president,
            address=ADDRESS,
            dossier=dossier,
            examination_id=None,
            decision="favourable_with_conditions",
        )
    with pytest.raises(IllegalTransition, match="examination in a session of its commission"):  # no session yet
        services.dossier_decide(
            actor=president, address=ADDRESS, dossier=dossier, examination_id=None, decision="favourable"
        )
    legal_path.decide(
        dossier,
        decision="favourable_with_conditions",
        conditions="Roofing material as agreed with the heritage service.",
    )
    assert dossier.status == DossierStatus.DECIDED and dossier.is_authorised
    with pytest.raises(IllegalTransition, match="signature"):  # signed only by the PAdES signatures, all verified
        services.dossier_sign(actor=staff["signing_authority"], address=ADDRESS, dossier=dossier, signed_documents=[])
    dossier = legal_path.sign_all(dossier)
    assert dossier.status == DossierStatus.PUBLISHED
    assert list(selectors.dossiers_publishable()) == [dossier]

    report = audit_verify()
    assert report.ok
    actions = list(selectors.audit_events_for(dossier=dossier).values_list("action", flat=True))
    uploaded = len(uploads)
    assert actions[: uploaded + 6] == [
        "dossier.created",
        *["dossier.document_uploaded"] * uploaded,
        "application.code_sent",
        "application.signed",
        "dossier.submit",
        "dossier.accept_complete",
        "dossier.dispatched",
    ]
    assert actions.count("dossier.document_uploaded") == uploaded + 1  # the revised plan
    assert actions.count("dossier.dispatched") == 2
    assert actions.count("consultation.tacit_opinion") == 1
    assert actions[actions.index("dossier.decide") + 1] == "commission.outputs_generated"
    assert actions[-2:] == ["dossier.sign", "dossier.publish"]  # by the last signature, once every one verified
    signature_task = {"commission.document_signed", "dossier.sign", "dossier.publish"}  # no client address there
    assert all(
        event.address == ADDRESS
        for event in selectors.audit_events_for(dossier=dossier)
        if event.actor_id and event.action not in signature_task
    )
