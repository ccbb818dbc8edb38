"""The end of the journey: the decision, the signature, the publication, as the workflow's transitions.

None of these is a face's action. The commission's president decides from the file's examination in session
(`permits.commissions.examination_decide` calls `dossier_decide` with it); a service decides the procedures that
need no commission (`permits.commissions.service_decide` calls `dossier_decide_without_commission`); the last PAdES
signature of the decision's documents signs and publishes the file (`permits.commissions.dossier_complete_signing`
calls `dossier_sign` then `dossier_publish`). The workflow's guards check each condition against the database
(the examination and its quorum; every signature given and verified), whoever calls. A refusal for lack of
permission (403) is audited after the rollback (`permits.refusals`).
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from permits import clock, workflow
from permits.models import ClockNotice, Decision, Dossier, NoticeKind, SilenceOutcome
from permits.refusals import refusals_audited
from permits.services.common import dossier_lock, transition_run


def _decision_record(
    *,
    action: workflow.Action,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    decision: str,
    motivation: str,
    conditions: str,
    context: dict[str, Any],
    payload: dict[str, Any],
) -> Dossier:
    dossier = dossier_lock(dossier=dossier)
    context = {**context, "decision": decision, "motivation": motivation.strip(), "conditions": conditions.strip()}
    workflow.transition_check(dossier=dossier, action=action, actor=actor, context=context)
    dossier.decision = decision
    dossier.decision_motivation = motivation
    dossier.decision_conditions = conditions
    dossier.decided_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=action,
        actor=actor,
        address=address,
        context=context,
        payload={"decision": decision, **payload},
    )


@refusals_audited("dossier.decide")
@transaction.atomic
def dossier_decide(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    examination_id: int | None,
    decision: str,
    motivation: str = "",
    conditions: str = "",
) -> Dossier:
    """Record the president's decision (favourable, with conditions, unfavourable) from the file's examination in a
    session of its commission with the quorum (`examination_id`; the workflow checks it)."""
    return _decision_record(
        action=workflow.Action.DECIDE,
        actor=actor,
        address=address,
        dossier=dossier,
        decision=decision,
        motivation=motivation,
        conditions=conditions,
        context={"examination": examination_id},
        payload={"examination": examination_id},
    )


@refusals_audited("dossier.decide_without_commission")
@transaction.atomic
def dossier_decide_without_commission(
    *, actor: Any, address: str | None, dossier: Dossier, decision: str, motivation: str = "", conditions: str = ""
) -> Dossier:
    """The service decides a file of a procedure that needs no commission (the role the catalogue names), once
    every opinion is in and every remark closed."""
    return _decision_record(
        action=workflow.Action.DECIDE_WITHOUT_COMMISSION,
        actor=actor,
        address=address,
        dossier=dossier,
        decision=decision,
        motivation=motivation,
        conditions=conditions,
        context={},
        payload={"decided_by": dossier.procedure.decision_role},
    )


@transaction.atomic
def dossier_decide_tacitly(*, dossier: Dossier, today: date) -> Dossier:
    """The administration's silence decides: the file's limit whose silence the catalogue gives the value of an
    authorisation has expired (`permits.clock`; the workflow's TACIT_DECISION checks it and refuses otherwise, 409).
    The platform decides (no actor); pending consultations are closed; the audit event is `dossier.tacit_decision`.
    Run by `permits.commissions.tacit.tacit_decide`, which also issues the attestation."""
    from permits.services.instruction import consultations_close_pending

    dossier = dossier_lock(dossier=dossier)
    context = {"today": today}
    workflow.transition_check(dossier=dossier, action=workflow.Action.TACIT_DECISION, actor=None, context=context)
    limit = next(
        limit
        for limit in clock.running_limits(dossier=dossier, today=today)
        if limit.overdue and limit.silence == SilenceOutcome.TACIT_APPROVAL
    )
    dossier.decision = Decision.FAVOURABLE
    dossier.decided_tacitly = True
    dossier.decision_motivation = ""
    dossier.decision_conditions = ""
    dossier.decided_at = timezone.now()
    consultations_close_pending(dossier=dossier)
    ClockNotice.objects.get_or_create(
        dossier=dossier,
        step=limit.step,
        started_on=limit.started_on,
        kind=NoticeKind.TACIT_DECISION,
        defaults={"deadline": limit.deadline},
    )
    return transition_run(
        dossier=dossier,
        action=workflow.Action.TACIT_DECISION,
        actor=None,
        address=None,
        context=context,
        payload={
            "decision": dossier.decision,
            "tacit": True,
            "step": limit.step,
            "started_on": limit.started_on.isoformat(),
            "deadline": limit.deadline.isoformat(),
            "legal_source": limit.legal_source,
            "legal_sources": limit.legal_sources,
        },
    )


@transaction.atomic
def dossier_seal_tacit_decision(*, dossier: Dossier, signed_documents: list[dict[str, Any]]) -> Dossier:
    """A tacit decision's attestation is sealed by the platform and verifies: the file is signed (by the platform;
    the workflow's SEAL_TACIT_DECISION checks every signature like SIGN)."""
    dossier = dossier_lock(dossier=dossier)
    dossier.signed_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.SEAL_TACIT_DECISION,
        actor=None,
        address=None,
        payload={"signed_documents": signed_documents},
    )


@refusals_audited("dossier.sign")
@transaction.atomic
def dossier_sign(
    *, actor: Any, address: str | None, dossier: Dossier, signed_documents: list[dict[str, Any]]
) -> Dossier:
    """The file is signed: every signature of its decision's documents is given and verifies (the workflow checks
    them); `signed_documents` (kind, document id, SHA-256 of each signed version) goes to the audit trail."""
    dossier = dossier_lock(dossier=dossier)  # the guard verifies every signature once, in `transition_run`
    dossier.signed_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.SIGN,
        actor=actor,
        address=address,
        payload={"signed_documents": signed_documents},
    )


@refusals_audited("dossier.publish")
@transaction.atomic
def dossier_publish(*, actor: Any, address: str | None, dossier: Dossier) -> Dossier:
    """Publish a signed decision: from now on the file is in the `PUBLISHABLE` group the geoportal shows."""
    dossier = dossier_lock(dossier=dossier)
    dossier.published_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.PUBLISH,
        actor=actor,
        address=address,
        payload={"decision": dossier.decision},
    )
