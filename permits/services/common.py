"""Shared steps of the services: locking a file, running a workflow transition with its audit event and event."""

from typing import Any

from django.utils import timezone

from gis_core.events import event_publish
from permits import clock, workflow
from permits.audit import audit_record
from permits.events import DossierEvent
from permits.models import Dossier


def dossier_lock(*, dossier: Dossier | int) -> Dossier:
    """The file re-read under SELECT ... FOR UPDATE: transitions on one file run one after another."""
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "commune__parent__parent")
        .get(pk=dossier_id)
    )


def audit_and_publish(
    *, dossier: Dossier | None, actor: Any, address: str | None, action: str, payload: dict[str, Any]
) -> None:
    """Write the audit event and publish the file's event of the same name (same transaction)."""
    actor_id = actor.pk if actor is not None else None
    audit_record(action=action, actor_id=actor_id, dossier=dossier, address=address, payload=payload)
    dossier_id = dossier.pk if dossier else None
    event_publish(event=DossierEvent(name=action, dossier_id=dossier_id, actor_id=actor_id, data=dict(payload)))


def transition_run(
    *,
    dossier: Dossier,
    action: workflow.Action,
    actor: Any,
    address: str | None,
    payload: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> Dossier:
    """Apply a workflow transition on a locked file, move its legal clock (`permits.clock`), then audit it and
    publish `dossier.<action>`."""
    previous, target = workflow.transition_apply(dossier=dossier, action=action, actor=actor, context=context)
    clock.clock_transition(dossier=dossier, previous=previous, target=target, today=timezone.localdate())
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action=f"dossier.{action}",
        payload={"from": previous, "to": target, "reference": dossier.reference, **(payload or {})},
    )
    return dossier
