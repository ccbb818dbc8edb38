"""Typed errors of the permits domain; `gis_core.problems` turns them into problem+json responses."""

from gis_core.problems import BadInput, DomainError, NotFound

__all__ = [
    "AccountRefused",
    "AuditedConflict",
    "BadInput",
    "DossierNotFound",
    "IllegalTransition",
    "InvalidDossier",
    "NotFound",
    "PermissionDenied",
]


class IllegalTransition(DomainError):
    """The action is not possible from the file's current status, or one of its guards does not hold."""

    status = 409
    title = "Action not possible in the file's current state"


class AuditedConflict(IllegalTransition):
    """A refusal of the legal path that the audit trail keeps, like a 403 (`permits.refusals`): e.g. a decision
    asked before the file's site inspection report is closed (`permits.inspections.guards`)."""

    refusal_action = "decision.refused"


class PermissionDenied(DomainError):
    """The actor may see the file but does not hold the role this action needs."""

    status = 403
    title = "Not allowed"


class InvalidDossier(BadInput):
    """The file's data do not allow the action (missing footprint, unknown establishment class...)."""


class DossierNotFound(NotFound):
    """No such file, or one the user may not see (the two are indistinguishable on purpose)."""


class AccountRefused(BadInput):
    """An account change that cannot be made as asked (a wrong or expired code, files still open, a role taken)."""

    status = 409
    title = "Account change refused"
