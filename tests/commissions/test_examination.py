"""In session: attendance and quorum, member opinions gathered from the consultations, the joint opinion; the
president's decision and the PV and decision PDFs (French and Arabic), stamped with their QR code."""

import pytest

from gis_core.signing.models import VerificationToken
from permits.commissions import services
from permits.commissions.errors import NotOnAgenda, QuorumNotReached
from permits.commissions.models import MemberOpinion, OpinionSource, OutputKind, SignatureRequest
from permits.models import DossierStatus
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file, hold_session, latest, pdf_text
from tests.permits.factories import ADDRESS


def test_quorum_and_agenda_are_checked(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    president = world.staff["commission_president"]
    services.session_attendance_record(
        actor=president, address=ADDRESS, session=session, present_member_ids=[world.occasional.pk]
    )
    with pytest.raises(QuorumNotReached):
        services.examination_record(
            actor=president, address=ADDRESS, session=session, dossier=dossier, joint_opinion="favourable"
        )
    with pytest.raises(NotOnAgenda):  # booked in the first session, not the second
        services.examination_record(
            actor=president, address=ADDRESS, session=world.sessions()[1], dossier=dossier, joint_opinion="favourable"
        )


def test_joint_opinion_gathers_the_members_opinions(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    opinions = {opinion.member_id: opinion for opinion in MemberOpinion.objects.filter(examination=examination)}
    from_consultation = opinions[world.permanent.pk]
    assert (from_consultation.opinion, from_consultation.source) == ("favourable", OpinionSource.CONSULTATION)
    assert from_consultation.motivation == "ok"  # given during instruction by the agency's member
    stated = opinions[world.occasional.pk]
    assert (stated.opinion, stated.source) == ("favourable_with_reservations", OpinionSource.SESSION)
    assert examination.joint_opinion == "favourable"
    assert dossier.audit_events.filter(action="commission.joint_opinion").exists()


def test_decision_generates_the_minutes_and_the_bilingual_decision(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier)
    services.examination_decide(
        actor=world.staff["commission_president"],
        address=ADDRESS,
        examination=examination,
        decision="favourable_with_conditions",
        conditions="Clôture végétalisée en limite nord.",
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DECIDED
    outputs = {output.kind: output for output in examination.outputs.all()}
    assert set(outputs) == {OutputKind.MINUTES, OutputKind.DECISION, OutputKind.PLAN}
    plan = outputs[OutputKind.PLAN]
    assert plan.source_lineage is not None and plan.lineage != plan.source_lineage  # a copy: the upload is untouched
    assert VerificationToken.objects.get(lineage=plan.lineage).purpose == "plan"  # stamped as an authorised plan

    minutes = pdf_text(latest(outputs[OutputKind.MINUTES]))
    assert "Procès-verbal" in minutes and str(dossier.reference) in minutes
    assert "Amina El Idrissi" in minutes and "Karim Benali" in minutes
    assert "Prévoir un recul de 3 m côté voie." in minutes  # a member's motivation
    assert "Favorable avec réserves" in minutes and "محضر" in minutes

    decision = pdf_text(latest(outputs[OutputKind.DECISION]))
    assert "Arrêté portant permis de construire" in decision  # the building-permit template
    assert "Clôture végétalisée en limite nord." in decision
    assert "قرار بمنح رخصة البناء" in decision and "الشروط" in decision

    for output in outputs.values():
        assert latest(output).version == 2  # version 1 + the stamp with its QR code
        assert VerificationToken.objects.filter(lineage=output.lineage).exists()
    signers = list(
        SignatureRequest.objects.filter(output=outputs[OutputKind.MINUTES]).values_list("signer_id", flat=True)
    )
    assert signers == [world.occasional.user_id, world.permanent.user_id]  # ordered by agency code: AUC first
    assert SignatureRequest.objects.get(output=outputs[OutputKind.DECISION]).signer == world.staff["signing_authority"]


def test_refusal_states_its_reasons(world: World) -> None:
    session = world.sessions()[0]
    dossier = booked_file(world, session, 0)
    examination = hold_session(world, session, dossier, joint="unfavourable", motivation="Hauteur excessive.")
    services.examination_decide(
        actor=world.staff["commission_president"],
        address=ADDRESS,
        examination=examination,
        decision="unfavourable",
        motivation="La hauteur dépasse 12 m autorisés par le plan d'aménagement.",
    )
    assert not examination.outputs.filter(kind=OutputKind.PLAN).exists()  # nothing authorised, nothing stamped
    decision = examination.outputs.get(kind=OutputKind.DECISION)
    text = pdf_text(latest(decision))
    assert "refus du permis de construire" in text
    assert "La hauteur dépasse 12 m autorisés par le plan d'aménagement." in text
    assert "قرار برفض رخصة البناء" in text and "مادة فريدة" in text
