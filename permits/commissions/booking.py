"""Writes: an applicant books, moves or cancels a slot in the agenda of the commission in charge of their file.

Two defences keep one slot to one file, also under concurrent requests:
1. the session row is locked (`SELECT ... FOR UPDATE`) for the whole booking transaction, so bookings of one
   session run one after another and each sees the slots its predecessors took;
2. `SlotOccupancy.slot` is unique in the database: should anything go around (1), the insert fails and the
   request gets the same `SlotTaken` (409) as a request that found the slot taken.

Every writer locks in one order: the file, then its booking, then the sessions (in id order), then the slots; the
examination of a file (`examination.examination_record`, `examination_decide`) takes the file before the session
too, so a booking moved or cancelled while its file is examined waits instead of deadlocking.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from permits import access, workflow
from permits.audit import audit_record
from permits.commissions import selectors
from permits.commissions.errors import BookingClosed, NotBookable, PermissionDenied, SlotTaken
from permits.commissions.lifecycles import BOOKING, BookingAction
from permits.commissions.models import Booking, BookingStatus, Commission, Session, SessionStatus, Slot, SlotOccupancy
from permits.commissions.notify import booking_notify
from permits.models import Dossier
from permits.services.common import dossier_lock


def _check_owner_and_status(*, actor: Any, dossier: Dossier) -> None:
    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant (or their architect) books the file's slot", action="book")
    if dossier.status not in workflow.BOOKABLE:
        raise NotBookable(
            f"a file that is {dossier.status} cannot book a commission slot; it must be complete and not yet decided",
            current_status=dossier.status,
        )


def _check_open(*, commission: Commission, session: Session, slot: Slot, now: datetime | None) -> None:
    if session.status != SessionStatus.PLANNED:
        raise BookingClosed("this session is not open for booking", session=session.pk)
    cutoff = selectors.booking_cutoff(commission=commission, now=now)
    if slot.starts_at < cutoff:
        raise BookingClosed(
            f"bookings close {commission.booking_cutoff_hours} hours before the slot",
            cutoff_hours=commission.booking_cutoff_hours,
        )


def _lock_sessions(*session_ids: int) -> dict[int, Session]:
    """Lock the sessions' rows in id order (two movers between the same sessions never deadlock)."""
    locked = Session.objects.select_for_update(of=("self",)).select_related("commission", "schedule")
    sessions = {session.pk: session for session in locked.filter(pk__in=sorted(set(session_ids))).order_by("pk")}
    return sessions


def _occupy(*, booking: Booking, session: Session, first: Slot, count: int) -> None:
    run = list(
        Slot.objects.select_for_update()
        .filter(session=session, number__gte=first.number, number__lt=first.number + count)
        .order_by("number")
    )
    if len(run) < count:
        raise SlotTaken("the file needs more consecutive slots than the session has left from here", slot=first.pk)
    taken = SlotOccupancy.objects.filter(slot__in=run).exclude(booking=booking)
    if taken.exists():
        raise SlotTaken("this slot is already booked; choose another one", slot=first.pk)
    try:
        with transaction.atomic():
            SlotOccupancy.objects.bulk_create(SlotOccupancy(slot=slot, booking=booking) for slot in run)
    except IntegrityError as error:
        raise SlotTaken("this slot is already booked; choose another one", slot=first.pk) from error


@transaction.atomic
def booking_create(
    *, actor: Any, address: str | None, dossier: Dossier, slot: Slot, now: datetime | None = None
) -> Booking:
    """Book `slot` (and the consecutive slots the procedure needs) for the file. 409 `SlotTaken` if taken."""
    dossier = dossier_lock(dossier=dossier)
    _check_owner_and_status(actor=actor, dossier=dossier)
    commission = selectors.commission_for_dossier(dossier=dossier)
    session = _lock_sessions(slot.session_id)[slot.session_id]
    if session.commission_id != commission.pk:
        raise NotBookable("this slot belongs to another commission than the one in charge of the file")
    _check_open(commission=commission, session=session, slot=slot, now=now)
    if Booking.objects.filter(dossier=dossier, status=BookingStatus.ACTIVE).exists():
        raise NotBookable("the file already has a booking; move it instead")
    count = selectors.slots_needed(commission=commission, dossier=dossier, session=session)
    booking = Booking.objects.create(
        dossier=dossier, session=session, first_slot=slot, slot_count=count, booked_by=actor
    )
    _occupy(booking=booking, session=session, first=slot, count=count)
    audit_record(
        action="commission.slot_booked",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"booking": booking.pk, "session": session.pk, "slot": slot.number, "slots": count},
    )
    booking_notify(booking=booking)
    return booking


@transaction.atomic
def booking_move(
    *, actor: Any, address: str | None, booking: Booking, slot: Slot, now: datetime | None = None
) -> Booking:
    """Move a booking to another slot of the same commission, until the cut-off of both the old and new slot."""
    dossier = dossier_lock(dossier=booking.dossier_id)
    _check_owner_and_status(actor=actor, dossier=dossier)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("first_slot").get(pk=booking.pk)
    BOOKING.check(record=booking, action=BookingAction.MOVE)
    sessions = _lock_sessions(booking.session_id, slot.session_id)
    old_session, new_session = sessions[booking.session_id], sessions[slot.session_id]
    if new_session.commission_id != old_session.commission_id:
        raise NotBookable("a booking moves within the same commission")
    commission = old_session.commission
    _check_open(commission=commission, session=old_session, slot=booking.first_slot, now=now)
    _check_open(commission=commission, session=new_session, slot=slot, now=now)
    previous = {"session": old_session.pk, "slot": booking.first_slot.number}
    booking.occupancies.all().delete()
    count = selectors.slots_needed(commission=commission, dossier=dossier, session=new_session)
    booking.session, booking.first_slot, booking.slot_count = new_session, slot, count
    booking.moved_at = timezone.now()
    booking.save(update_fields=["session", "first_slot", "slot_count", "moved_at"])
    _occupy(booking=booking, session=new_session, first=slot, count=count)
    audit_record(
        action="commission.booking_moved",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"booking": booking.pk, "from": previous, "to": {"session": new_session.pk, "slot": slot.number}},
    )
    booking_notify(booking=booking)
    return booking


@transaction.atomic
def booking_release_decided(*, dossier: Dossier, reason: str) -> Booking | None:
    """A file decided outside its session (the administration's silence, `tacit.py`) gives its slots back: its
    active booking is cancelled by the platform, whatever the cut-off. The caller holds the file's lock."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .filter(dossier=dossier, status=BookingStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    if booking is None:
        return None
    _lock_sessions(booking.session_id)
    booking.occupancies.all().delete()
    BOOKING.apply(record=booking, action=BookingAction.CANCEL)
    audit_record(
        action="commission.booking_cancelled",
        actor_id=None,
        dossier=dossier,
        address=None,
        payload={"booking": booking.pk, "session": booking.session_id, "reason": reason},
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor: Any, address: str | None, booking: Booking, now: datetime | None = None) -> Booking:
    """Give the slots back (before the cut-off); the file may book again."""
    dossier = dossier_lock(dossier=booking.dossier_id)
    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant (or their architect) cancels the booking", action="cancel")
    booking = Booking.objects.select_for_update(of=("self",)).select_related("first_slot").get(pk=booking.pk)
    BOOKING.check(record=booking, action=BookingAction.CANCEL)
    session = _lock_sessions(booking.session_id)[booking.session_id]
    _check_open(commission=session.commission, session=session, slot=booking.first_slot, now=now)
    booking.occupancies.all().delete()
    BOOKING.apply(record=booking, action=BookingAction.CANCEL)
    audit_record(
        action="commission.booking_cancelled",
        actor_id=actor.pk,
        dossier=dossier,
        address=address,
        payload={"booking": booking.pk, "session": session.pk},
    )
    return booking
