"""Refusals for lack of permission leave a trace: `refusals_audited(action)` wraps a service so that, when it raises
`PermissionDenied` (403), an audit event `permission.refused` is written once the refused work is rolled back; an
`AuditedConflict` (409, a step of the legal path skipped, e.g. a decision before the site inspection's report is
closed) is written the same way as its `refusal_action` (`decision.refused`).

Put the decorator above `@transaction.atomic`: the service's transaction (or savepoint) is rolled back first, so
nothing it wrote remains; the refusal is then appended to the hash chain by `permits.audit.audit_record` in a
transaction of its own (a savepoint when the caller holds one), under the chain head lock like every event: the
chain stays gap-free and ordered. Its payload names the refused action, the reason, the rule's details (the
error's extra fields) and, when the refusal concerns one, the signature request.

    @refusals_audited("dossier.decide")
    @transaction.atomic
    def dossier_decide(*, actor, address, dossier, ...): ...
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any

from permits.audit import audit_record
from permits.errors import AuditedConflict, PermissionDenied
from permits.models import Dossier

REFUSED = "permission.refused"

# Where the refused service's keyword arguments name its file: the file itself (or its id), or a record of it.
DossierOf = Callable[[Mapping[str, Any]], int | None]


def dossier_argument(arguments: Mapping[str, Any]) -> int | None:
    dossier = arguments.get("dossier")
    return dossier if isinstance(dossier, int) else getattr(dossier, "pk", None)


def refusal_record(
    *,
    action: str,
    actor: Any,
    address: str | None,
    dossier_id: int | None,
    error: PermissionDenied | AuditedConflict,
    **details: Any,
) -> None:
    """Append `permission.refused` (or the conflict's `refusal_action`) for a refused `action` (call it after the
    refused transaction rolled back)."""
    dossier = Dossier.objects.filter(pk=dossier_id).first() if dossier_id is not None else None
    audit_record(
        action=error.refusal_action if isinstance(error, AuditedConflict) else REFUSED,
        actor_id=getattr(actor, "pk", None),
        dossier=dossier,
        address=address,
        payload={**error.extra, **details, "action": action, "reason": error.detail},
    )


def no_dossier(arguments: Mapping[str, Any]) -> int | None:
    """For the services about no file (roles, people)."""
    return None


def refusals_audited[**P, R](
    action: str, *, dossier_of: DossierOf = dossier_argument, actor_argument: str = "actor"
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Audit the `PermissionDenied` refusals of a keyword-only service (see the module's docstring); the actor is
    its keyword argument `actor_argument`."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def audited(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return service(*args, **kwargs)
            except (PermissionDenied, AuditedConflict) as error:
                refusal_record(
                    action=action,
                    actor=kwargs.get(actor_argument),
                    address=kwargs.get("address"),  # type: ignore[arg-type]
                    dossier_id=dossier_of(kwargs),
                    error=error,
                )
                raise

        return audited

    return decorate
