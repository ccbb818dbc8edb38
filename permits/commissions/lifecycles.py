"""The lifecycles of a commission booking and of a signature request: their state machines (`permits.machines`),
the only writers of their status.

- A booking is active (it may move, keeping its status) until the applicant cancels it.
- A signature request is pending until its signer signs, once every signer before them on the document has.
"""

from enum import StrEnum

from gis_core.problems import DomainError
from permits.commissions.errors import NotBookable, SignatureOutOfTurn
from permits.commissions.models import Booking, BookingStatus, SignatureRequest, SignatureStatus
from permits.machines import Context, Machine, Transition


class BookingAction(StrEnum):
    MOVE = "move"
    CANCEL = "cancel"


def booking_cancelled(booking: Booking, context: Context) -> DomainError:
    return NotBookable("this booking was cancelled")


ACTIVE = frozenset({BookingStatus.ACTIVE})
BOOKING = Machine[Booking](
    transitions=(
        Transition(BookingAction.MOVE, ACTIVE, BookingStatus.ACTIVE, booking_cancelled),
        Transition(BookingAction.CANCEL, ACTIVE, BookingStatus.CANCELLED, booking_cancelled),
    )
)


class SignatureAction(StrEnum):
    SIGN = "sign"


def signature_given(request: SignatureRequest, context: Context) -> DomainError:
    return SignatureOutOfTurn("this signature is already given", field_name=request.field_name)


def earlier_signers_signed(request: SignatureRequest, context: Context) -> DomainError | None:
    waiting = SignatureRequest.objects.filter(
        output_id=request.output_id, position__lt=request.position, status=SignatureStatus.PENDING
    ).count()
    return SignatureOutOfTurn("earlier signers have not signed yet", waiting_for=waiting) if waiting else None


SIGNATURE = Machine[SignatureRequest](
    transitions=(
        Transition(
            SignatureAction.SIGN,
            frozenset({SignatureStatus.PENDING}),
            SignatureStatus.SIGNED,
            signature_given,
            (earlier_signers_signed,),
        ),
    )
)
