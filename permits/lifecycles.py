"""The lifecycles of a file's remarks and consultations, and of mandates: their state machines
(`permits.machines`), the only writers of their status.

- A mandate is pending until the invitee accepts (active) or declines it; pending or active, it is revoked by the
  applicant (or withdrawn by the architect or the inviter), for good.
- A remark is open until the applicant answers it, then closed by a reviewer once the answer satisfies it and
  its annotations on the plan are resolved or withdrawn (`permits.plans.guards`).
- A consultation is pending until its agency gives its opinion (on the file's current round, while the file
  takes opinions, by the deadline day), the deadline day ends (the procedure's tacit opinion), or a new round
  or the file's withdrawal closes it.
"""

from datetime import date
from enum import StrEnum

from gis_core.problems import DomainError
from permits import workflow
from permits.errors import IllegalTransition
from permits.machines import Context, Machine, Transition
from permits.models import Consultation, ConsultationStatus, Mandate, MandateStatus, Remark, RemarkStatus
from permits.plans.guards import remark_annotations_settled


class RemarkAction(StrEnum):
    ANSWER = "answer"
    CLOSE = "close"


def remark_not_open(remark: Remark, context: Context) -> DomainError:
    return IllegalTransition(f"this remark is already {remark.status}", current_status=remark.dossier.status)


def remark_not_answered(remark: Remark, context: Context) -> DomainError:
    return IllegalTransition(f"only an answered remark can be closed (this one is {remark.status})")


REMARK = Machine[Remark](
    transitions=(
        Transition(RemarkAction.ANSWER, frozenset({RemarkStatus.OPEN}), RemarkStatus.ANSWERED, remark_not_open),
        Transition(
            RemarkAction.CLOSE,
            frozenset({RemarkStatus.ANSWERED}),
            RemarkStatus.CLOSED,
            remark_not_answered,
            guards=(remark_annotations_settled,),
        ),
    )
)


class ConsultationAction(StrEnum):
    GIVE_OPINION = "give_opinion"
    APPLY_TACIT = "apply_tacit"
    CLOSE = "close"


def consultation_not_pending(consultation: Consultation, context: Context) -> DomainError:
    status = consultation.dossier.status
    return IllegalTransition(f"this consultation is already {consultation.status}", current_status=status)


def file_takes_opinions(consultation: Consultation, context: Context) -> DomainError | None:
    dossier = consultation.dossier
    if dossier.status not in workflow.TAKING_OPINIONS or consultation.round.number != dossier.current_round:
        return IllegalTransition(f"opinions are not taken on a file that is {dossier.status}")
    return None


def deadline_not_passed(consultation: Consultation, context: Context) -> DomainError | None:
    today: date = context["today"]
    if today > consultation.deadline:
        return IllegalTransition(f"the deadline ({consultation.deadline.isoformat()}) has passed; the opinion is tacit")
    return None


def deadline_passed(consultation: Consultation, context: Context) -> DomainError | None:
    today: date = context["today"]
    if today <= consultation.deadline:
        return IllegalTransition(f"the deadline ({consultation.deadline.isoformat()}) has not passed yet")
    return None


PENDING = frozenset({ConsultationStatus.PENDING})
CONSULTATION = Machine[Consultation](
    transitions=(
        Transition(
            ConsultationAction.GIVE_OPINION,
            PENDING,
            ConsultationStatus.GIVEN,
            consultation_not_pending,
            (file_takes_opinions, deadline_not_passed),
        ),
        Transition(
            ConsultationAction.APPLY_TACIT,
            PENDING,
            ConsultationStatus.TACIT,
            consultation_not_pending,
            (file_takes_opinions, deadline_passed),
        ),
        Transition(ConsultationAction.CLOSE, PENDING, ConsultationStatus.CLOSED, consultation_not_pending),
    )
)


class MandateAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    REVOKE = "revoke"


def mandate_not_pending(mandate: Mandate, context: Context) -> DomainError:
    return IllegalTransition(f"this invitation was already answered (the mandate is {mandate.status})")


def mandate_ended(mandate: Mandate, context: Context) -> DomainError:
    return IllegalTransition(f"this mandate is already {mandate.status}")


MANDATE = Machine[Mandate](
    transitions=(
        Transition(MandateAction.ACCEPT, frozenset({MandateStatus.PENDING}), MandateStatus.ACTIVE, mandate_not_pending),
        Transition(
            MandateAction.DECLINE, frozenset({MandateStatus.PENDING}), MandateStatus.DECLINED, mandate_not_pending
        ),
        Transition(
            MandateAction.REVOKE,
            frozenset({MandateStatus.PENDING, MandateStatus.ACTIVE}),
            MandateStatus.REVOKED,
            mandate_ended,
        ),
    )
)
