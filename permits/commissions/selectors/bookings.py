"""Reads of a file's way to the commission: the commission in charge of it, its free slots (after the booking
cut-off, followed by enough free slots for the procedure's duration) and its booking; `NotFound` for a booking or
a slot the file cannot reach."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from gis_core.problems import NotFound
from permits import workflow
from permits.access import commune_ancestry
from permits.commissions.errors import CommissionNotFound
from permits.commissions.models import (
    Booking,
    BookingStatus,
    Commission,
    ProcedureDuration,
    Session,
    SessionStatus,
    Slot,
    SlotOccupancy,
)
from permits.models import Dossier


def commission_for_dossier(*, dossier: Dossier) -> Commission:
    """The active commission of the file's procedure over its commune (the closest territory wins)."""
    scope = commune_ancestry(dossier)
    candidates = list(
        Commission.objects.filter(
            active=True, procedures=dossier.procedure_id, territory_id__in=scope, family=dossier.procedure.family
        )
    )
    if not candidates:
        raise CommissionNotFound(
            f"no commission is in charge of {dossier.procedure.code} files in this commune",
            procedure=dossier.procedure.code,
        )
    return min(candidates, key=lambda commission: scope.index(commission.territory_id))


def session_slot_minutes(*, session: Session) -> int:
    if session.schedule_id is not None and session.schedule is not None:
        return session.schedule.slot_minutes
    total = (session.ends_at - session.starts_at).total_seconds() / 60
    return max(1, int(total // max(session.capacity, 1)))


def _procedure_minutes(commission: Commission, dossier: Dossier) -> int | None:
    return (
        ProcedureDuration.objects.filter(commission=commission, procedure_id=dossier.procedure_id)
        .values_list("minutes", flat=True)
        .first()
    )


def _slots_for(minutes: int | None, session: Session) -> int:
    if not minutes:
        return 1
    return max(1, math.ceil(minutes / session_slot_minutes(session=session)))


def slots_needed(*, commission: Commission, dossier: Dossier, session: Session) -> int:
    """Consecutive slots the file takes: the procedure's duration rounded up to whole slots (at least one)."""
    return _slots_for(_procedure_minutes(commission, dossier), session)


def booking_cutoff(*, commission: Commission, now: datetime | None = None) -> datetime:
    """Slots starting before this moment can no longer be booked, and bookings there can no longer move."""
    return (now or timezone.now()) + timedelta(hours=commission.booking_cutoff_hours)


@dataclass(frozen=True)
class FreeSlot:
    slot_id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime
    slot_count: int


def slots_free_for(*, dossier: Dossier, now: datetime | None = None, limit: int = 200) -> list[FreeSlot]:
    """Slots where the file could start its examination: bookable (after the cut-off) and followed by enough
    free consecutive slots for the procedure's duration."""
    commission = commission_for_dossier(dossier=dossier)
    cutoff = booking_cutoff(commission=commission, now=now)
    minutes = _procedure_minutes(commission, dossier)
    sessions = list(
        Session.objects.filter(commission=commission, status=SessionStatus.PLANNED, starts_at__gte=cutoff)
        .select_related("schedule")
        .order_by("starts_at")
    )
    occupied = SlotOccupancy.objects.filter(slot=OuterRef("pk"))
    open_slots = Slot.objects.filter(session__in=[session.pk for session in sessions]).annotate(taken=Exists(occupied))
    slots_of: dict[int, list[Slot]] = defaultdict(list)
    for open_slot in open_slots.order_by("session_id", "number"):
        slots_of[open_slot.session_id].append(open_slot)
    free: list[FreeSlot] = []
    for session in sessions:
        needed = _slots_for(minutes, session)
        slots = slots_of[session.pk]
        for index, slot in enumerate(slots):
            run = slots[index : index + needed]
            if slot.starts_at < cutoff or len(run) < needed or any(getattr(item, "taken", False) for item in run):
                continue
            free.append(FreeSlot(slot.pk, session.pk, slot.starts_at, run[-1].ends_at, needed))
            if len(free) >= limit:
                return free
    return free


def dossier_bookable(*, dossier: Dossier) -> bool:
    """The file is complete, not yet examined, and a commission is in charge of it."""
    if dossier.status not in workflow.BOOKABLE:
        return False
    try:
        commission_for_dossier(dossier=dossier)
    except CommissionNotFound:
        return False
    return True


def booking_active_for(*, dossier: Dossier) -> Booking | None:
    return (
        Booking.objects.filter(dossier=dossier, status=BookingStatus.ACTIVE)
        .select_related("session__commission", "first_slot", "dossier")
        .first()
    )


def booking_of(*, dossier: Dossier) -> Booking:
    """The file's active booking; `NotFound` when it has none."""
    booking = booking_active_for(dossier=dossier)
    if booking is None:
        raise NotFound("This file has no booking.")
    return booking


def booking_get(*, booking_id: int) -> Booking:
    """A booking as it is stored now (any status), with its first slot."""
    return Booking.objects.select_related("first_slot").get(pk=booking_id)


def booking_movable(*, booking: Booking) -> bool:
    """The applicant may still move or cancel the booking: active, before the cut-off, the file not yet examined."""
    if booking.status != BookingStatus.ACTIVE:
        return False
    cutoff = booking_cutoff(commission=booking.session.commission)
    return booking.first_slot.starts_at >= cutoff and booking.dossier.status in workflow.BOOKABLE


def slot_for(*, dossier: Dossier, slot_id: int) -> Slot:
    """A slot of a session of the commission in charge of the file; `NotFound` otherwise."""
    commission = commission_for_dossier(dossier=dossier)
    slot = Slot.objects.filter(pk=slot_id, session__commission=commission).first()
    if slot is None:
        raise NotFound(f"There is no slot {slot_id} for this file.")
    return slot
