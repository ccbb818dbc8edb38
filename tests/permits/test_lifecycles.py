"""Remarks' and consultations' state machines (`permits.lifecycles`): every action of each table tried from every
status through the services, refused with the message users see unless the table lets it start there."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from permits import services
from permits.errors import IllegalTransition
from permits.lifecycles import CONSULTATION, REMARK, ConsultationAction, RemarkAction
from permits.models import Consultation, ConsultationStatus, OpinionValue, Remark, RemarkStatus
from permits.services.instruction import consultations_close_pending
from tests.permits.factories import ADDRESS, DossierFactory, member_for, staff_for
from tests.permits.lifecycle import Lifecycle, status_after, table_of

pytestmark = pytest.mark.django_db


def remark_in(status: str) -> Remark:
    """The first of two remarks sent to the applicant, brought to `status`; the second one stays open, so the file
    still awaits the applicant's replies."""
    dossier = DossierFactory.create(remarks_issued=True)
    desk = staff_for(dossier.commune)["desk_agent"]
    services.remark_issue(actor=desk, address=ADDRESS, dossier=dossier, text="Show the parking spaces.")
    services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)
    remark = dossier.remarks.order_by("pk")[0]
    if status in {RemarkStatus.ANSWERED, RemarkStatus.CLOSED}:
        services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark, text="Shown on plan 2.")
    if status == RemarkStatus.CLOSED:
        services.remark_close(actor=desk, address=ADDRESS, remark=remark)
    remark.refresh_from_db()
    assert remark.status == status
    return remark


def run_remark_action(action: RemarkAction, remark: Remark) -> Any:
    dossier = remark.dossier
    calls: dict[RemarkAction, Callable[[], Any]] = {
        RemarkAction.ANSWER: lambda: services.remark_reply(
            actor=dossier.applicant, address=ADDRESS, remark=remark, text="See plan 3."
        ),
        RemarkAction.CLOSE: lambda: services.remark_close(
            actor=staff_for(dossier.commune)["desk_agent"], address=ADDRESS, remark=remark
        ),
    }
    return calls[action]()


# The remark's lifecycle as users know it: (status, action) -> the status it leads to; anything else is refused.
REMARK_LIFECYCLE: Lifecycle = {
    (RemarkStatus.OPEN, RemarkAction.ANSWER): RemarkStatus.ANSWERED,
    (RemarkStatus.ANSWERED, RemarkAction.CLOSE): RemarkStatus.CLOSED,
}
REMARK_REFUSALS = {
    RemarkAction.ANSWER: "this remark is already {status}",
    RemarkAction.CLOSE: "only an answered remark can be closed (this one is {status})",
}


@pytest.mark.parametrize("action", list(RemarkAction))
@pytest.mark.parametrize("status", RemarkStatus.values)
def test_remark_action_from_every_status(status: str, action: RemarkAction) -> None:
    remark = remark_in(status)
    if (status, action) in REMARK_LIFECYCLE:
        assert status_after(remark, lambda: run_remark_action(action, remark)) == REMARK_LIFECYCLE[status, action]
        return
    message = REMARK_REFUSALS[action].format(status=status)
    with pytest.raises(IllegalTransition, match=re.escape(message)):
        run_remark_action(action, remark)
    remark.refresh_from_db()
    assert remark.status == status


def test_the_remark_table_is_the_lifecycle() -> None:
    assert table_of(REMARK) == REMARK_LIFECYCLE and Remark.INITIAL_STATUS == RemarkStatus.OPEN


def day_after(deadline: Any) -> datetime:
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=1), datetime.min.time()))


def consultation_in(status: str) -> Consultation:
    """The consultation of a file under instruction, brought to `status` through the services."""
    dossier = DossierFactory.create(under_instruction=True)
    consultation = dossier.consultations.select_related("agency").get()
    if status == ConsultationStatus.GIVEN:
        services.opinion_give(
            actor=member_for(consultation.agency), address=ADDRESS, consultation=consultation, opinion="favourable"
        )
    elif status == ConsultationStatus.TACIT:
        services.consultations_apply_tacit(now=day_after(consultation.deadline))
    elif status == ConsultationStatus.CLOSED:
        services.dossier_withdraw(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    consultation.refresh_from_db()
    assert consultation.status == status
    return consultation


def run_consultation_action(action: ConsultationAction, consultation: Consultation) -> Any:
    calls: dict[ConsultationAction, Callable[[], Any]] = {
        ConsultationAction.GIVE_OPINION: lambda: services.opinion_give(
            actor=member_for(consultation.agency),
            address=ADDRESS,
            consultation=consultation,
            opinion=OpinionValue.FAVOURABLE,
        ),
        ConsultationAction.APPLY_TACIT: lambda: services.consultations_apply_tacit(
            now=day_after(consultation.deadline)
        ),
        ConsultationAction.CLOSE: lambda: consultations_close_pending(dossier=consultation.dossier),
    }
    return calls[action]()


# Only a pending consultation moves: its agency's opinion, the tacit opinion, or closed by a new round/withdrawal.
CONSULTATION_LIFECYCLE: Lifecycle = {
    (ConsultationStatus.PENDING, ConsultationAction.GIVE_OPINION): ConsultationStatus.GIVEN,
    (ConsultationStatus.PENDING, ConsultationAction.APPLY_TACIT): ConsultationStatus.TACIT,
    (ConsultationStatus.PENDING, ConsultationAction.CLOSE): ConsultationStatus.CLOSED,
}


@pytest.mark.parametrize("action", list(ConsultationAction))
@pytest.mark.parametrize("status", ConsultationStatus.values)
def test_consultation_action_from_every_status(status: str, action: ConsultationAction) -> None:
    consultation = consultation_in(status)
    run = partial(run_consultation_action, action, consultation)
    if (status, action) in CONSULTATION_LIFECYCLE:
        assert status_after(consultation, run) == CONSULTATION_LIFECYCLE[status, action]
    elif action == ConsultationAction.GIVE_OPINION:
        with pytest.raises(IllegalTransition, match=f"this consultation is already {status}") as refused:
            run()
        assert refused.value.extra == {"current_status": consultation.dossier.status}
        consultation.refresh_from_db()
        assert consultation.status == status
    else:  # these services pick the pending consultations themselves: this one is left as it is
        assert status_after(consultation, run) == status


def test_the_consultation_table_is_the_lifecycle() -> None:
    assert table_of(CONSULTATION) == CONSULTATION_LIFECYCLE
    assert Consultation.INITIAL_STATUS == ConsultationStatus.PENDING


def test_opinions_are_taken_on_the_current_round_of_a_file_taking_them() -> None:
    dossier = DossierFactory.create(awaiting_applicant=True)
    services.remark_reply(actor=dossier.applicant, address=ADDRESS, remark=dossier.remarks.get(), text="done")
    first, second = dossier.consultations.select_related("round", "dossier").order_by("round__number")
    guard = CONSULTATION.transition_for(ConsultationAction.GIVE_OPINION).guards[0]
    assert guard(second, {}) is None
    refused = guard(first, {})  # round 1 is not the file's current round any more
    assert isinstance(refused, IllegalTransition)
    assert str(refused) == "opinions are not taken on a file that is under_instruction"


def test_a_tacit_opinion_waits_for_the_end_of_the_deadline_day() -> None:
    consultation = consultation_in(ConsultationStatus.PENDING)
    deadline = consultation.deadline
    tacit = ConsultationAction.APPLY_TACIT
    assert not CONSULTATION.allows(record=consultation, action=tacit, context={"today": deadline})
    assert CONSULTATION.allows(record=consultation, action=tacit, context={"today": deadline + timedelta(days=1)})
    give = ConsultationAction.GIVE_OPINION
    assert CONSULTATION.allows(record=consultation, action=give, context={"today": deadline})
    assert not CONSULTATION.allows(record=consultation, action=give, context={"today": deadline + timedelta(days=1)})
