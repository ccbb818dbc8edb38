"""Typed errors of the site inspections; `gis_core.problems` maps them to problem+json."""

from gis_core.problems import BadInput, DomainError, NotFound
from permits.errors import PermissionDenied

__all__ = ["InspectionConflict", "InspectionNotFound", "InvalidInspectionInput", "PermissionDenied"]


class InspectionConflict(DomainError):
    """The action is not possible on the inspection (or its file) now: not open, already closed, report incomplete."""

    status = 409
    title = "Action not possible in the inspection's current state"


class InvalidInspectionInput(BadInput):
    """Malformed input: a date in the past, an unknown checklist item or result, a position off the globe..."""

    title = "Invalid inspection input"


class InspectionNotFound(NotFound):
    """No such inspection on this file (or one the user may not see)."""
