"""The end of the journey: the commission president's decision, the signature, the publication.

The commission issue fills in sessions, agendas, PVs and PAdES signatures; these services are the state
changes those steps end with.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from permits import workflow
from permits.models import Dossier
from permits.services.common import dossier_lock, transition_run


@transaction.atomic
def dossier_decide(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    decision: str,
    motivation: str = "",
    conditions: str = "",
) -> Dossier:
    """Record the decision (favourable, favourable with conditions, unfavourable) of a file in commission."""
    dossier = dossier_lock(dossier=dossier)
    context = {"decision": decision, "motivation": motivation.strip(), "conditions": conditions.strip()}
    workflow.transition_check(dossier=dossier, action=workflow.Action.DECIDE, actor=actor, context=context)
    dossier.decision = decision
    dossier.decision_motivation = motivation
    dossier.decision_conditions = conditions
    dossier.decided_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.DECIDE,
        actor=actor,
        address=address,
        context=context,
        payload={"decision": decision},
    )


@transaction.atomic
def dossier_sign(*, actor: Any, address: str | None, dossier: Dossier, signature_reference: str = "") -> Dossier:
    """The signing authority has signed the decision (the PAdES signature itself is the signing module's)."""
    dossier = dossier_lock(dossier=dossier)
    workflow.transition_check(dossier=dossier, action=workflow.Action.SIGN, actor=actor)
    dossier.signed_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.SIGN,
        actor=actor,
        address=address,
        payload={"signature": signature_reference},
    )


@transaction.atomic
def dossier_publish(*, actor: Any, address: str | None, dossier: Dossier) -> Dossier:
    """Publish a signed decision: from now on the file is in the `PUBLISHABLE` group the geoportal shows."""
    dossier = dossier_lock(dossier=dossier)
    workflow.transition_check(dossier=dossier, action=workflow.Action.PUBLISH, actor=actor)
    dossier.published_at = timezone.now()
    return transition_run(
        dossier=dossier,
        action=workflow.Action.PUBLISH,
        actor=actor,
        address=address,
        payload={"decision": dossier.decision},
    )
