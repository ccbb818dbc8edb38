"""Slot booking: free slots of the commission in charge, booking, moving before the cut-off, refused after."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from gis_core.problems import as_problem
from permits.commissions import selectors, services
from permits.commissions.errors import BookingClosed, NotBookable, PermissionDenied, SlotTaken
from permits.commissions.models import Booking, BookingStatus, SlotOccupancy
from permits.models import Dossier
from tests.commissions.conftest import World
from tests.permits.factories import ADDRESS, DossierFactory


def complete_file(world: World, **kwargs: Any) -> Dossier:
    dossier: Dossier = DossierFactory.create(procedure=world.procedure, under_instruction=True, **kwargs)
    return dossier


def test_free_slots_and_booking(world: World) -> None:
    dossier = complete_file(world)
    free = selectors.slots_free_for(dossier=dossier)
    assert len(free) == 18  # 3 sessions x 6 slots
    first = world.sessions()[0].slots.order_by("number")[0]
    booking = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=first)
    assert booking.status == BookingStatus.ACTIVE and booking.slot_count == 1
    assert SlotOccupancy.objects.get(slot=first).booking == booking
    other = complete_file(world)
    assert first.pk not in [slot.slot_id for slot in selectors.slots_free_for(dossier=other)]
    with pytest.raises(SlotTaken) as taken:
        services.booking_create(actor=other.applicant, address=ADDRESS, dossier=other, slot=first)
    problem = as_problem(taken.value)
    assert problem is not None and problem["status"] == 409 and problem["title"] == "Slot already booked"
    assert dossier.audit_events.filter(action="commission.slot_booked").exists()


def test_a_long_procedure_takes_consecutive_slots(world: World) -> None:
    services.procedure_duration_set(commission=world.commission, procedure=world.procedure, minutes=60)
    dossier = complete_file(world)
    session = world.sessions()[0]
    last = session.slots.order_by("number").last()
    assert last is not None
    assert last.pk not in [slot.slot_id for slot in selectors.slots_free_for(dossier=dossier)]
    with pytest.raises(SlotTaken):
        services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=last)
    booking = services.booking_create(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=session.slots.get(number=2)
    )
    assert booking.slot_count == 2
    assert sorted(booking.occupancies.values_list("slot__number", flat=True)) == [2, 3]


def test_move_before_the_cutoff_and_refused_after(world: World) -> None:
    dossier = complete_file(world)
    first_session, second_session = world.sessions()[:2]
    slot = first_session.slots.get(number=0)
    booking = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    target = second_session.slots.get(number=3)
    moved = services.booking_move(actor=dossier.applicant, address=ADDRESS, booking=booking, slot=target)
    assert moved.session == second_session and moved.moved_at is not None
    assert not SlotOccupancy.objects.filter(slot=slot).exists()
    assert SlotOccupancy.objects.get(slot=target).booking == booking
    # 47 hours before the booked slot: too late to move it, or to book it
    late = target.starts_at - timedelta(hours=47)
    with pytest.raises(BookingClosed):
        services.booking_move(
            actor=dossier.applicant,
            address=ADDRESS,
            booking=booking,
            slot=world.sessions()[2].slots.get(number=0),
            now=late,
        )
    other = complete_file(world)
    with pytest.raises(BookingClosed):
        services.booking_create(
            actor=other.applicant, address=ADDRESS, dossier=other, slot=second_session.slots.get(number=2), now=late
        )
    assert selectors.slots_free_for(dossier=other, now=late)[0].session_id == world.sessions()[2].pk
    # 49 hours before: still open
    services.booking_move(
        actor=dossier.applicant,
        address=ADDRESS,
        booking=booking,
        slot=second_session.slots.get(number=4),
        now=target.starts_at - timedelta(hours=49),
    )


def test_who_and_when_may_book(world: World) -> None:
    draft = DossierFactory.create(procedure=world.procedure)
    slot = world.sessions()[0].slots.get(number=0)
    with pytest.raises(NotBookable):
        services.booking_create(actor=draft.applicant, address=ADDRESS, dossier=draft, slot=slot)
    dossier = complete_file(world)
    with pytest.raises(PermissionDenied):
        services.booking_create(actor=world.staff["desk_agent"], address=ADDRESS, dossier=dossier, slot=slot)
    services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    with pytest.raises(NotBookable):  # one booking per file: move it instead
        services.booking_create(
            actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=world.sessions()[0].slots.get(number=1)
        )


def test_cancel_gives_the_slot_back(world: World) -> None:
    dossier = complete_file(world)
    slot = world.sessions()[0].slots.get(number=0)
    booking = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    services.booking_cancel(actor=dossier.applicant, address=ADDRESS, booking=booking)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    again = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    assert again.pk != booking.pk


def test_the_database_refuses_two_bookings_of_one_slot(world: World) -> None:
    first, second = complete_file(world), complete_file(world)
    slot = world.sessions()[0].slots.get(number=0)
    booking = services.booking_create(actor=first.applicant, address=ADDRESS, dossier=first, slot=slot)
    intruder = Booking.objects.create(dossier=second, session=slot.session, first_slot=slot, booked_by=second.applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotOccupancy.objects.create(slot=slot, booking=intruder)
    assert SlotOccupancy.objects.get(slot=slot).booking == booking


def test_the_applicant_is_told_when_their_file_is_examined(
    world: World, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = complete_file(world)
    session = world.sessions()[1]
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(
            actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=session.slots.get(number=2)
        )
    assert [mail.recipients for mail in smtp.messages] == [[dossier.applicant.email]]
    message = smtp.messages[0].message
    assert str(dossier.reference) in message["Subject"] and "07/01/2027 à 10:00" in message["Subject"]
    smtp.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_move(
            actor=dossier.applicant, address=ADDRESS, booking=booking, slot=session.slots.get(number=4)
        )
    assert "07/01/2027 à 11:00" in smtp.messages[0].message["Subject"]
