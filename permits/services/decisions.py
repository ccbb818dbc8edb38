"""The end of the journey: the decision, the signature, the publication, as the workflow's transitions.

None of these is a face's action. The commission's president decides from the file's examination in session
(`permits.commissions.examination_decide` calls `dossier_decide` with it); a service decides the procedures that
need no commission (`permits.commissions.service_decide` calls `dossier_decide_without_commission`); the last PAdES
signature of the decision's documents signs and publishes the file (`permits.commissions.dossier_complete_signing`
calls `dossier_sign` then `dossier_publish`). The workflow's guards check each condition against the database
(the examination and its quorum; every signature given and verified), whoever calls. A refusal for lack of
permission (403) is audited after the rollback (`permits.refusals`).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from permits import workflow
from permits.models import Dossier
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
