"""Typed errors of the commissions; `gis_core.problems` maps them to problem+json (409 for conflicts)."""

from gis_core.problems import BadInput, DomainError, NotFound
from permits.errors import PermissionDenied

__all__ = [
    "BookingClosed",
    "CommissionNotFound",
    "InvalidCommissionInput",
    "NotBookable",
    "NotOnAgenda",
    "PermissionDenied",
    "QuorumNotReached",
    "SignatureOutOfTurn",
    "SlotTaken",
]


class CommissionConflict(DomainError):
    status = 409
    title = "Conflict with the commission's state"


class SlotTaken(CommissionConflict):
    """The slot (or one of the consecutive slots the file needs) is already booked by someone else."""

    title = "Slot already booked"


class BookingClosed(CommissionConflict):
    """The booking cut-off has passed (or the session is not open for booking any more)."""

    title = "Booking closed"


class NotBookable(CommissionConflict):
    """The file cannot book a slot now (not complete yet, already decided, already booked...)."""

    title = "The file cannot book a slot"


class NotOnAgenda(CommissionConflict):
    """The file is not on the session's agenda, or not in commission."""

    title = "The file is not on this session's agenda"


class QuorumNotReached(CommissionConflict):
    """Too few members present, or an agency that must be present is absent."""

    title = "Quorum not reached"


class SignatureOutOfTurn(CommissionConflict):
    """A signer signs before the signers who come before them, or signs twice."""

    title = "Not this signer's turn"


class CommissionNotFound(NotFound):
    """No active commission is in charge of this file's procedure and commune."""


class InvalidCommissionInput(BadInput):
    """Malformed input (unknown member, opinion value, empty schedule...)."""
