"""The state machine: every action refused from every status it does not start from (through the services),
permission denials, guards, and no status written outside the workflow."""

from datetime import date
from typing import Any

import pytest

from permits import services, workflow
from permits.errors import IllegalTransition, InvalidDossier, NotFound, PermissionDenied
from permits.models import Dossier, DossierStatus, IllegalStatusWrite, OpinionValue, Remark
from tests.factories import AgencyFactory
from tests.permits.factories import (
    ADDRESS,
    DossierFactory,
    UserFactory,
    application_signature_write,
    commune_tree,
    member_for,
    staff_for,
)

pytestmark = pytest.mark.django_db
A = workflow.Action


def run_action(action: workflow.Action, dossier: Dossier) -> Any:
    """Run an action through its service with an actor entitled to it, so only the status can refuse it."""
    staff = staff_for(dossier.commune)
    desk, owner = staff["desk_agent"], dossier.applicant
    calls = {
        A.SUBMIT: lambda: services.dossier_submit(actor=owner, address=ADDRESS, dossier=dossier),
        A.ACCEPT_COMPLETE: lambda: services.dossier_check_completeness(
            actor=desk, address=ADDRESS, dossier=dossier, complete=True
        ),
        A.RETURN_INCOMPLETE: lambda: services.dossier_check_completeness(
            actor=desk, address=ADDRESS, dossier=dossier, complete=False, note="plans missing"
        ),
        A.ISSUE_REMARK: lambda: services.remark_issue(actor=desk, address=ADDRESS, dossier=dossier, text="remark"),
        A.SEND_REMARKS: lambda: services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier),
        A.REPLY_TO_REMARKS: lambda: services.remark_reply(
            actor=owner, address=ADDRESS, remark=_open_remark(dossier, desk), text="reply"
        ),
        A.SEND_TO_COMMISSION: lambda: services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier),
        A.DECIDE: lambda: services.dossier_decide(
            actor=staff["commission_president"],
            address=ADDRESS,
            dossier=dossier,
            examination_id=None,
            decision="favourable",
        ),
        A.DECIDE_WITHOUT_COMMISSION: lambda: services.dossier_decide_without_commission(
            actor=desk, address=ADDRESS, dossier=dossier, decision="favourable"
        ),
        A.SIGN: lambda: services.dossier_sign(
            actor=staff["signing_authority"], address=ADDRESS, dossier=dossier, signed_documents=[]
        ),
        A.PUBLISH: lambda: services.dossier_publish(actor=desk, address=ADDRESS, dossier=dossier),
        # the platform's own transitions (the file's legal clock): the status refuses before the clock is asked
        A.TACIT_DECISION: lambda: services.dossier_decide_tacitly(dossier=dossier, today=date(2099, 1, 1)),
        A.SEAL_TACIT_DECISION: lambda: services.dossier_seal_tacit_decision(dossier=dossier, signed_documents=[]),
        A.WITHDRAW: lambda: services.dossier_withdraw(actor=owner, address=ADDRESS, dossier=dossier),
    }
    return calls[action]()


def _open_remark(dossier: Dossier, author: Any) -> Remark:
    """An open remark on the file's current round (made directly: the matrix tests the reply, not the issue)."""
    return Remark.objects.create(
        dossier=dossier, round=dossier.rounds.get(number=dossier.current_round), author=author, text="remark"
    )


ILLEGAL = [
    (status, action)
    for status in DossierStatus.values
    for action in workflow.Action
    if status not in workflow.transition_for(action).sources
    # a reply needs a remark, and a remark an instruction round: files never instructed have none
    and not (action == A.REPLY_TO_REMARKS and status in {"draft", "submitted", "incomplete", "withdrawn"})
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transition_is_refused(status: str, action: workflow.Action) -> None:
    dossier = DossierFactory.create(reach=status)
    with pytest.raises(IllegalTransition):
        run_action(action, dossier)
    dossier.refresh_from_db()
    assert dossier.status == status


def test_every_status_is_reachable_and_the_table_is_complete() -> None:
    targets = {transition.target for transition in workflow.TRANSITIONS}
    assert targets | {DossierStatus.DRAFT} == set(DossierStatus.values)
    without_exit = {
        status
        for status in DossierStatus.values
        if not any(status in transition.sources for transition in workflow.TRANSITIONS)
    }
    assert without_exit == workflow.TERMINAL


def test_status_is_never_written_outside_the_workflow() -> None:
    dossier = DossierFactory.create()
    dossier.status = DossierStatus.PUBLISHED
    with pytest.raises(IllegalStatusWrite):
        dossier.save()
    with pytest.raises(IllegalStatusWrite):
        Dossier.objects.create(
            procedure=dossier.procedure, commune=dossier.commune, applicant=dossier.applicant, status="decided"
        )


def test_roles_are_checked() -> None:
    dossier = DossierFactory.create(submitted=True)
    staff = staff_for(dossier.commune)
    with pytest.raises(PermissionDenied):  # the applicant cannot check their own file
        services.dossier_check_completeness(actor=dossier.applicant, address=ADDRESS, dossier=dossier, complete=True)
    with pytest.raises(PermissionDenied):  # the president is not the desk
        services.dossier_check_completeness(
            actor=staff["commission_president"], address=ADDRESS, dossier=dossier, complete=True
        )
    other_desk = staff_for(commune_tree("RABAT-AGDAL"))["desk_agent"]
    with pytest.raises(PermissionDenied):  # a desk agent of another commune
        services.dossier_check_completeness(actor=other_desk, address=ADDRESS, dossier=dossier, complete=True)
    stranger = UserFactory.create()
    draft = DossierFactory.create()
    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=stranger, address=ADDRESS, dossier=draft)
    with pytest.raises(PermissionDenied):
        services.dossier_withdraw(actor=staff["desk_agent"], address=ADDRESS, dossier=draft)
    with pytest.raises(PermissionDenied):  # only an architect may file for someone else
        services.dossier_create(
            actor=stranger, address=ADDRESS, applicant=draft.applicant, procedure=draft.procedure, commune=draft.commune
        )


def test_opinion_rules() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    consultation = dossier.consultations.select_related("agency").get()
    member = member_for(consultation.agency)
    other_member = member_for(AgencyFactory.create(code="OTHER"))
    with pytest.raises(PermissionDenied):
        services.opinion_give(actor=other_member, address=ADDRESS, consultation=consultation, opinion="favourable")
    with pytest.raises(InvalidDossier):  # an unfavourable opinion must be motivated
        services.opinion_give(
            actor=member, address=ADDRESS, consultation=consultation, opinion=OpinionValue.UNFAVOURABLE
        )
    later = consultation.deadline.replace(year=consultation.deadline.year + 1)
    with pytest.raises(IllegalTransition):  # after the deadline the opinion is tacit
        services.opinion_give(
            actor=member, address=ADDRESS, consultation=consultation, opinion="favourable", today=later
        )
    services.opinion_give(actor=member, address=ADDRESS, consultation=consultation, opinion="favourable")
    with pytest.raises(IllegalTransition):  # given once
        services.opinion_give(
            actor=member,
            address=ADDRESS,
            consultation=consultation,
            opinion="unfavourable",
            motivation="changed my mind",
        )


def test_reply_to_an_unknown_remark_is_not_found() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    with pytest.raises(NotFound):
        services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=999_999, text="?")


def test_reply_needs_the_owner_and_an_open_remark() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    remark = dossier.remarks.get()
    with pytest.raises(PermissionDenied):
        services.remark_reply(actor=UserFactory.create(), address=ADDRESS, remark=remark, text="not mine")
    services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="done")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_INSTRUCTION and dossier.current_round == 2
    with pytest.raises(IllegalTransition):
        services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="again")


def test_incomplete_file_is_resubmitted_with_the_same_reference() -> None:
    dossier = DossierFactory.create(incomplete=True)
    reference = dossier.reference
    services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, units=3)
    with pytest.raises(IllegalTransition, match="changed since it was signed"):  # the signed form said otherwise
        services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    application_signature_write(dossier)
    dossier = services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    assert dossier.status == DossierStatus.SUBMITTED and dossier.reference == reference and dossier.units == 3


def test_withdrawal_closes_pending_consultations() -> None:
    dossier = DossierFactory.create(under_instruction=True)
    services.dossier_withdraw(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    assert set(dossier.consultations.values_list("status", flat=True)) == {"closed"}


def test_a_filed_file_cannot_be_edited() -> None:
    dossier = DossierFactory.create(submitted=True)
    with pytest.raises(InvalidDossier):
        services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, units=3)


def test_footprint_outside_the_commune_is_refused() -> None:
    draft = DossierFactory.create()
    far_away = {"type": "Polygon", "coordinates": [[[-7.6, 33.5], [-7.59, 33.5], [-7.59, 33.51], [-7.6, 33.5]]]}
    with pytest.raises(InvalidDossier, match="outside the commune"):
        services.dossier_update(actor=draft.applicant, address=ADDRESS, dossier=draft, footprint=far_away)


def test_opinions_are_still_taken_while_the_applicant_answers() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    consultation = dossier.consultations.select_related("agency").get()
    services.opinion_give(
        actor=member_for(consultation.agency), address=ADDRESS, consultation=consultation, opinion="favourable"
    )
    consultation.refresh_from_db()
    assert consultation.status == "given"
