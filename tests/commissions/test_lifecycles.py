"""Bookings' and signature requests' state machines (`permits.commissions.lifecycles`): every action tried from
every status through the services, refused with the problem users see unless the lifecycle lets it start there."""

import io
from functools import partial
from typing import Any

import pytest
from django.utils import timezone

from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from permits.commissions import services
from permits.commissions.errors import NotBookable, SignatureOutOfTurn
from permits.commissions.lifecycles import BOOKING, SIGNATURE, BookingAction, SignatureAction
from permits.commissions.models import (
    Booking,
    BookingStatus,
    OutputDocument,
    OutputKind,
    SignatureRequest,
    SignatureStatus,
)
from tests.commissions.conftest import World
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory
from tests.permits.lifecycle import Lifecycle, assert_status_written_by_machine_only, status_after, table_of
from tests.signing.pdf_factory import sample_pdf

BOOKING_LIFECYCLE: Lifecycle = {
    (BookingStatus.ACTIVE, BookingAction.MOVE): BookingStatus.ACTIVE,
    (BookingStatus.ACTIVE, BookingAction.CANCEL): BookingStatus.CANCELLED,
}


def booking_in(world: World, status: str) -> Booking:
    dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    slot = world.sessions()[0].slots.get(number=0)
    booking = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    if status == BookingStatus.CANCELLED:
        services.booking_cancel(actor=dossier.applicant, address=ADDRESS, booking=booking)
    booking.refresh_from_db()
    assert booking.status == status
    return booking


def run_booking_action(world: World, action: BookingAction, booking: Booking) -> Any:
    applicant = booking.dossier.applicant
    if action == BookingAction.MOVE:
        slot = world.sessions()[1].slots.get(number=2)
        return services.booking_move(actor=applicant, address=ADDRESS, booking=booking, slot=slot)
    return services.booking_cancel(actor=applicant, address=ADDRESS, booking=booking)


@pytest.mark.parametrize("action", list(BookingAction))
@pytest.mark.parametrize("status", BookingStatus.values)
def test_booking_action_from_every_status(world: World, status: str, action: BookingAction) -> None:
    booking = booking_in(world, status)
    run = partial(run_booking_action, world, action, booking)
    if (status, action) in BOOKING_LIFECYCLE:
        assert status_after(booking, run) == BOOKING_LIFECYCLE[status, action]
        return
    with pytest.raises(NotBookable, match="this booking was cancelled"):
        run()
    booking.refresh_from_db()
    assert booking.status == status


def test_the_booking_table_is_the_lifecycle() -> None:
    assert table_of(BOOKING) == BOOKING_LIFECYCLE
    assert Booking.INITIAL_STATUS == BookingStatus.ACTIVE


def signature_requests(count: int) -> list[SignatureRequest]:
    """`count` signatures of one stored PV, in order, each by its own signer."""
    document = document_store(stream=io.BytesIO(sample_pdf()), filename="pv.pdf", allowed_kinds=(DocumentKind.PDF,))
    output = OutputDocument.objects.create(
        kind=OutputKind.MINUTES, dossier=DossierFactory.create(), document=document, lineage=document.lineage
    )
    return [
        SignatureRequest.objects.create(
            output=output, signer=UserFactory.create(), position=position, field_name=f"pv-member-{position}"
        )
        for position in range(1, count + 1)
    ]


def signed(request: SignatureRequest) -> None:
    """What the signature task records once the PAdES signature is applied (without a PKI here)."""
    SIGNATURE.apply(record=request, action=SignatureAction.SIGN, changes={"signed_at": timezone.now()})


@pytest.mark.django_db
def test_a_signature_is_given_once_in_its_turn() -> None:
    first, second = signature_requests(2)
    with pytest.raises(SignatureOutOfTurn, match="earlier signers have not signed yet") as refused:
        services.signature_request_sign(actor=second.signer, address=ADDRESS, request=second)
    assert refused.value.extra == {"waiting_for": 1}
    services.signature_request_sign(actor=first.signer, address=ADDRESS, request=first)  # their turn: accepted
    signed(first)
    first.refresh_from_db()
    assert first.status == SignatureStatus.SIGNED and first.signed_at is not None
    with pytest.raises(SignatureOutOfTurn, match="this signature is already given") as refused:
        services.signature_request_sign(actor=first.signer, address=ADDRESS, request=first)
    assert refused.value.extra == {"field_name": "pv-member-1"}
    services.signature_request_sign(actor=second.signer, address=ADDRESS, request=second)  # now their turn


def test_the_signature_table_is_the_lifecycle() -> None:
    assert table_of(SIGNATURE) == {(SignatureStatus.PENDING, SignatureAction.SIGN): SignatureStatus.SIGNED}
    assert SignatureRequest.INITIAL_STATUS == SignatureStatus.PENDING


def test_a_booking_and_a_signature_request_refuse_a_status_written_outside_their_machine(world: World) -> None:
    assert_status_written_by_machine_only(booking_in(world, BookingStatus.ACTIVE), BookingStatus.CANCELLED)
    assert_status_written_by_machine_only(signature_requests(1)[0], SignatureStatus.SIGNED)
