"""The one state machine of a file: a table of transitions, their guards and who may run them.

Nothing else writes `Dossier.status`: services call `transition_apply`, which checks the action is possible
from the current status, that its guards hold and that the actor may run it, then writes the new status.
Status groups (`OPEN`, `EDITABLE`, `DECIDED_GROUP`, `PUBLISHABLE`...) are what services, lists and public views
filter on: no other module spells a set of statuses.

The legal path is the only path to a decision and its publication:
- DECIDE passes only with the examination the decision comes from (`context["examination"]`, an id), of this file,
  in a session of its commission whose attendance was recorded with the quorum (`permits.commissions.guards`);
- the procedures the catalogue says need no commission (`Procedure.decided_by == "service"`) are never sent to a
  commission; they are decided by DECIDE_WITHOUT_COMMISSION, run only by the role the catalogue names;
- a procedure the catalogue marks `inspection: required` is decided only once its site inspection's report of the
  current round is closed with a verdict, and a "not conform" verdict only by a refusal (`permits.inspections.guards`);
- silence: when the catalogue gives the administration's silence the value of an authorisation (the decision's
  limit, `silence: tacit_approval`) and that limit has expired on the file's clock (`permits.clock`), the platform
  itself (actor None, `access.PLATFORM`) decides by TACIT_DECISION, from instruction or commission only; the
  attestation of tacit authorisation is then sealed by the platform and SEAL_TACIT_DECISION signs the file, with
  the same verification of every signature as SIGN;
- SIGN and PUBLISH pass only when every signature request of the file's outputs is signed and the latest version
  of each output verifies (PAdES, trusted, unchanged after signing).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gis_core.problems import DomainError
from permits import access
from permits.commissions import guards as commission_guards
from permits.errors import IllegalTransition, PermissionDenied
from permits.inspections import guards as inspection_guards
from permits.models import (
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionPath,
    Dossier,
    DossierStatus,
    Remark,
    RemarkStatus,
    Role,
)

S = DossierStatus

OPEN = frozenset(
    {
        S.DRAFT,
        S.SUBMITTED,
        S.INCOMPLETE,
        S.UNDER_INSTRUCTION,
        S.REMARKS_ISSUED,
        S.AWAITING_APPLICANT,
        S.IN_COMMISSION,
    }
)
FILED = frozenset(OPEN - {S.DRAFT})  # open and seen by the administration
EDITABLE = frozenset({S.DRAFT, S.INCOMPLETE})  # the applicant may change the form and the site
WITH_APPLICANT = frozenset({S.DRAFT, S.INCOMPLETE, S.AWAITING_APPLICANT})
IN_INSTRUCTION = frozenset({S.UNDER_INSTRUCTION, S.REMARKS_ISSUED})
TAKING_OPINIONS = frozenset(IN_INSTRUCTION | {S.AWAITING_APPLICANT})  # members' deadlines keep running
BOOKABLE = frozenset(TAKING_OPINIONS | {S.IN_COMMISSION})  # complete, not yet examined: may book a commission slot
DECIDED_GROUP = frozenset({S.DECIDED, S.SIGNED, S.PUBLISHED})  # a decision is recorded (whatever it says)
PUBLISHABLE = frozenset({S.PUBLISHED})
# Where the administration's silence may decide (permits.clock): a file accepted as complete, not with the applicant.
SILENCE_DECIDABLE = frozenset(IN_INSTRUCTION | {S.IN_COMMISSION})
TERMINAL = frozenset({S.PUBLISHED, S.WITHDRAWN})


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT_COMPLETE = "accept_complete"
    RETURN_INCOMPLETE = "return_incomplete"
    ISSUE_REMARK = "issue_remark"
    SEND_REMARKS = "send_remarks"
    REPLY_TO_REMARKS = "reply_to_remarks"
    SEND_TO_COMMISSION = "send_to_commission"
    DECIDE = "decide"
    DECIDE_WITHOUT_COMMISSION = "decide_without_commission"
    TACIT_DECISION = "tacit_decision"
    SIGN = "sign"
    SEAL_TACIT_DECISION = "seal_tacit_decision"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"


# Returns why the transition is refused (a sentence, or the typed error to raise as is), or None.
Guard = Callable[[Dossier, dict[str, Any]], str | DomainError | None]


def has_reference(dossier: Dossier, context: dict[str, Any]) -> str | None:
    return None if dossier.reference else "the file has no reference yet"


def has_site(dossier: Dossier, context: dict[str, Any]) -> str | None:
    if dossier.procedure.requires_footprint and dossier.footprint is None and not dossier.parcels.exists():
        return "the file needs a footprint or at least one parcel"
    return None


def no_pending_consultation(dossier: Dossier, context: dict[str, Any]) -> str | None:
    pending = Consultation.objects.filter(
        dossier=dossier, round__number=dossier.current_round, status=ConsultationStatus.PENDING
    )
    return "some consulted members have not given their opinion yet" if pending.exists() else None


def no_unanswered_remark(dossier: Dossier, context: dict[str, Any]) -> str | None:
    open_remarks = Remark.objects.filter(dossier=dossier, status=RemarkStatus.OPEN)
    return "some remarks are still open" if open_remarks.exists() else None


def all_remarks_closed(dossier: Dossier, context: dict[str, Any]) -> str | None:
    unclosed = Remark.objects.filter(dossier=dossier).exclude(status=RemarkStatus.CLOSED)
    return "every remark must be answered and closed first" if unclosed.exists() else None


def has_open_remark(dossier: Dossier, context: dict[str, Any]) -> str | None:
    open_remarks = Remark.objects.filter(dossier=dossier, round__number=dossier.current_round, status=RemarkStatus.OPEN)
    return None if open_remarks.exists() else "there is no open remark to send"


def decision_given(dossier: Dossier, context: dict[str, Any]) -> str | None:
    decision = context.get("decision")
    if decision not in Decision.values:
        return f"unknown decision {decision!r}"
    if decision == Decision.FAVOURABLE_WITH_CONDITIONS and not context.get("conditions"):
        return "a favourable decision with conditions must state them"
    if decision == Decision.UNFAVOURABLE and not context.get("motivation"):
        return "an unfavourable decision must be motivated"
    return None


def decided_by_commission(dossier: Dossier, context: dict[str, Any]) -> str | None:
    if dossier.procedure.decided_by == DecisionPath.COMMISSION:
        return None
    return "this procedure is decided by its service without a commission (decide_without_commission)"


def decided_by_service(dossier: Dossier, context: dict[str, Any]) -> str | None:
    if dossier.procedure.decided_by == DecisionPath.SERVICE:
        return None
    return commission_guards.LEGAL_PATH


def examined_in_session_with_quorum(dossier: Dossier, context: dict[str, Any]) -> str | None:
    return commission_guards.decision_shortfall(dossier=dossier, examination_id=context.get("examination"))


def site_inspection_closed(dossier: Dossier, context: dict[str, Any]) -> DomainError | None:
    return inspection_guards.inspection_shortfall(dossier=dossier, decision=context.get("decision"))


def silence_expired(dossier: Dossier, context: dict[str, Any]) -> str | None:
    from permits.clock import tacit_shortfall  # the clock reads the models the workflow reads

    return tacit_shortfall(dossier=dossier, today=context.get("today"))


def decided_tacitly(dossier: Dossier, context: dict[str, Any]) -> str | None:
    return None if dossier.decided_tacitly else "only a tacit decision is sealed by the platform"


def decided_expressly(dossier: Dossier, context: dict[str, Any]) -> str | None:
    return "a tacit decision is sealed by the platform (seal_tacit_decision)" if dossier.decided_tacitly else None


def signatures_verified(dossier: Dossier, context: dict[str, Any]) -> str | None:
    return commission_guards.signatures_shortfall(dossier=dossier)


def examination_ready(dossier: Dossier, context: dict[str, Any]) -> str | None:
    if commission_guards.examination_to_decide(dossier=dossier) is None:
        return commission_guards.LEGAL_PATH
    return None


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: DossierStatus
    allowed: frozenset[str]  # roles, access.OWNER, or access.SERVICE_DECIDER (the role the procedure names)
    guards: tuple[Guard, ...] = field(default=())
    # Whether the transition exists for this file at all (its procedure's path), whoever acts: checked before the
    # actor's role, and by `available_actions`.
    scope: tuple[Guard, ...] = field(default=())
    # What must hold for the action to be offered to the actor (`available_actions`), beyond its status, scope and
    # role: the step of the legal path it needs (a decision needs an examination in a session with the quorum).
    offered_when: tuple[Guard, ...] = field(default=())
    # Run by the legal path itself, never asked for by anyone: the last verified PAdES signature of the decision's
    # documents signs and publishes the file (`permits.commissions.dossier_complete_signing`). Never offered.
    automatic: bool = False


OWNER = access.OWNER
DESK = frozenset({Role.DESK_AGENT})
REVIEWERS = frozenset({Role.DESK_AGENT, Role.COMMISSION_MEMBER, Role.COMMISSION_PRESIDENT})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.SUBMIT, frozenset({S.DRAFT, S.INCOMPLETE}), S.SUBMITTED, frozenset({OWNER}), (has_site,)),
    Transition(Action.ACCEPT_COMPLETE, frozenset({S.SUBMITTED}), S.UNDER_INSTRUCTION, DESK, (has_reference,)),
    Transition(Action.RETURN_INCOMPLETE, frozenset({S.SUBMITTED}), S.INCOMPLETE, DESK),
    Transition(Action.ISSUE_REMARK, IN_INSTRUCTION, S.REMARKS_ISSUED, REVIEWERS),
    Transition(Action.SEND_REMARKS, frozenset({S.REMARKS_ISSUED}), S.AWAITING_APPLICANT, DESK, (has_open_remark,)),
    Transition(
        Action.REPLY_TO_REMARKS,
        frozenset({S.AWAITING_APPLICANT}),
        S.UNDER_INSTRUCTION,
        frozenset({OWNER}),
        (no_unanswered_remark,),
    ),
    Transition(
        Action.SEND_TO_COMMISSION,
        frozenset({S.UNDER_INSTRUCTION}),
        S.IN_COMMISSION,
        DESK,
        (no_pending_consultation, all_remarks_closed),
        scope=(decided_by_commission,),
    ),
    Transition(
        Action.DECIDE,
        frozenset({S.IN_COMMISSION}),
        S.DECIDED,
        frozenset({Role.COMMISSION_PRESIDENT}),
        (decision_given, site_inspection_closed, examined_in_session_with_quorum),
        scope=(decided_by_commission,),
        offered_when=(examination_ready,),  # decided from the examination (commissions' decide route)
    ),
    Transition(
        Action.DECIDE_WITHOUT_COMMISSION,
        frozenset({S.UNDER_INSTRUCTION}),
        S.DECIDED,
        frozenset({access.SERVICE_DECIDER}),
        (no_pending_consultation, all_remarks_closed, decision_given, site_inspection_closed),
        scope=(decided_by_service,),
    ),
    Transition(
        Action.TACIT_DECISION,
        SILENCE_DECIDABLE,
        S.DECIDED,
        frozenset({access.PLATFORM}),
        (silence_expired,),
        automatic=True,  # the platform's own, run by the clock's beat task; never offered
    ),
    Transition(
        Action.SIGN,
        frozenset({S.DECIDED}),
        S.SIGNED,
        frozenset({Role.SIGNING_AUTHORITY}),
        (signatures_verified,),
        scope=(decided_expressly,),
        automatic=True,
    ),
    Transition(
        Action.SEAL_TACIT_DECISION,
        frozenset({S.DECIDED}),
        S.SIGNED,
        frozenset({access.PLATFORM}),
        (signatures_verified,),
        scope=(decided_tacitly,),
        automatic=True,
    ),
    Transition(Action.PUBLISH, frozenset({S.SIGNED}), S.PUBLISHED, DESK, (signatures_verified,), automatic=True),
    Transition(Action.WITHDRAW, OPEN, S.WITHDRAWN, frozenset({OWNER})),
)
TRANSITIONS_BY_ACTION: dict[Action, Transition] = {transition.action: transition for transition in TRANSITIONS}


def transition_for(action: Action) -> Transition:
    return TRANSITIONS_BY_ACTION[action]


def available_actions(*, dossier: Dossier, actor: Any) -> list[Action]:
    """Actions the actor could really ask for now: status, the procedure's path, role and the step of the legal path
    the action needs (`offered_when`); never those the legal path runs by itself (`automatic`: signing and
    publishing). The other guards are checked when it runs."""
    return [
        transition.action
        for transition in TRANSITIONS
        if not transition.automatic
        and dossier.status in transition.sources
        and not any(guard(dossier, {}) for guard in transition.scope)
        and access.may_act(actor, dossier, transition.allowed)
        and not any(guard(dossier, {}) for guard in transition.offered_when)
    ]


def transition_check(
    *, dossier: Dossier, action: Action, actor: Any, context: dict[str, Any] | None = None
) -> Transition:
    """Raise IllegalTransition or PermissionDenied unless the actor may run `action` on the file now."""
    transition = transition_for(action)
    if dossier.status not in transition.sources:
        raise IllegalTransition(
            f"'{action}' is not possible on a file that is {dossier.status}",
            action=str(action),
            current_status=dossier.status,
        )
    for guard in transition.scope:
        reason = guard(dossier, context or {})
        if isinstance(reason, DomainError):
            raise reason
        if reason:
            raise IllegalTransition(reason, action=str(action), current_status=dossier.status)
    if not access.may_act(actor, dossier, transition.allowed):
        raise PermissionDenied(f"you may not {action.replace('_', ' ')} this file", action=str(action))
    for guard in transition.guards:
        reason = guard(dossier, context or {})
        if isinstance(reason, DomainError):
            raise reason
        if reason:
            raise IllegalTransition(reason, action=str(action), current_status=dossier.status)
    return transition


def transition_apply(
    *, dossier: Dossier, action: Action, actor: Any, context: dict[str, Any] | None = None
) -> tuple[str, str]:
    """Check and run a transition; the only place that writes a file's status. Returns (from, to)."""
    transition = transition_check(dossier=dossier, action=action, actor=actor, context=context)
    previous = dossier.status
    dossier.status_write(transition.target)
    return previous, transition.target
