"""Writes: commissions and their members, recurring schedules, and the sessions (with slots) generated from them.

`sessions_generate` is idempotent: a session is identified by (commission, start) and created once, with its
slots, in its own transaction; public holidays (`permits.deadlines.holidays`) are skipped.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from gis_core.models import Territory
from parcels.models import Agency
from permits.audit import audit_record
from permits.commissions.errors import InvalidCommissionInput
from permits.commissions.models import (
    Commission,
    CommissionMember,
    MemberKind,
    ProcedureDuration,
    Session,
    SessionSchedule,
    Slot,
)
from permits.deadlines import holidays
from permits.models import Procedure


@transaction.atomic
def commission_create(
    *,
    name_fr: str,
    territory: Territory,
    family: str,
    procedures: Iterable[Procedure] = (),
    name_ar: str = "",
    quorum_minimum_members: int = 1,
    required_agencies: Iterable[Agency] | None = None,
    president: Any = None,
    signing_authority: Any = None,
    secretary: Any = None,
    booking_cutoff_hours: int = 48,
) -> Commission:
    """A commission, linked to the catalogue: its name defaults to the procedures' `commission_name_fr`, and the
    agencies whose presence the quorum requires to their permanent members (`PermanentMember`) when not given."""
    procedures = list(procedures)
    if not name_fr:
        name_fr = next((p.commission_name_fr for p in procedures if p.commission_name_fr), "") or "Commission"
    commission = Commission.objects.create(
        name_fr=name_fr,
        name_ar=name_ar,
        territory=territory,
        family=family,
        quorum_minimum_members=quorum_minimum_members,
        president=president,
        signing_authority=signing_authority,
        secretary=secretary,
        booking_cutoff_hours=booking_cutoff_hours,
    )
    commission.procedures.set(procedures)
    if required_agencies is None:
        required_agencies = Agency.objects.filter(permanent_seats__procedure__in=procedures).distinct()
    commission.required_agencies.set(list(required_agencies))
    audit_record(
        action="commission.created",
        actor_id=None,
        payload={"commission": commission.pk, "territory": territory.code, "family": family},
    )
    return commission


@transaction.atomic
def commission_member_add(
    *, commission: Commission, user: Any, agency: Agency, kind: str = MemberKind.PERMANENT
) -> CommissionMember:
    if kind not in MemberKind.values:
        raise InvalidCommissionInput(f"unknown member kind {kind!r}")
    member, _created = CommissionMember.objects.update_or_create(
        commission=commission, user=user, defaults={"agency": agency, "kind": kind, "active": True}
    )
    audit_record(
        action="commission.member_added",
        actor_id=None,
        payload={"commission": commission.pk, "user": user.pk, "agency": agency.code, "kind": kind},
    )
    return member


@transaction.atomic
def procedure_duration_set(*, commission: Commission, procedure: Procedure, minutes: int) -> ProcedureDuration:
    if minutes <= 0:
        raise InvalidCommissionInput("a duration is a positive number of minutes")
    duration, _created = ProcedureDuration.objects.update_or_create(
        commission=commission, procedure=procedure, defaults={"minutes": minutes}
    )
    return duration


@transaction.atomic
def schedule_create(
    *,
    commission: Commission,
    weekdays: Iterable[int],
    start_time: time,
    end_time: time,
    slot_minutes: int = 30,
    timezone_name: str = "Africa/Casablanca",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> SessionSchedule:
    days = sorted(set(weekdays))
    if not days or any(day not in range(7) for day in days):
        raise InvalidCommissionInput("weekdays are numbers from 0 (Monday) to 6 (Sunday)")
    if end_time <= start_time or slot_minutes <= 0:
        raise InvalidCommissionInput("a session ends after it starts and has slots of a positive length")
    ZoneInfo(timezone_name)  # raises on an unknown zone
    return SessionSchedule.objects.create(
        commission=commission,
        weekdays=days,
        start_time=start_time,
        end_time=end_time,
        slot_minutes=slot_minutes,
        timezone=timezone_name,
        valid_from=valid_from,
        valid_until=valid_until,
    )


@dataclass(frozen=True)
class GenerationResult:
    created: list[int]
    skipped_holidays: list[date]


def session_days(*, schedule: SessionSchedule, start: date, end: date) -> tuple[list[date], list[date]]:
    """Days of [start, end) on which the schedule holds a session, and the ones skipped for a holiday."""
    days: list[date] = []
    skipped: list[date] = []
    day = max(start, schedule.valid_from or start)
    last = min(end, (schedule.valid_until + timedelta(days=1)) if schedule.valid_until else end)
    while day < last:
        if day.weekday() in schedule.weekdays:
            (skipped if day in holidays(day.year) else days).append(day)
        day += timedelta(days=1)
    return days, skipped


def _session_create(*, schedule: SessionSchedule, day: date) -> Session | None:
    zone = ZoneInfo(schedule.timezone)
    starts_at = datetime.combine(day, schedule.start_time, tzinfo=zone)
    ends_at = datetime.combine(day, schedule.end_time, tzinfo=zone)
    step = timedelta(minutes=schedule.slot_minutes)
    capacity = int((ends_at - starts_at) / step)
    if capacity < 1:
        return None
    try:
        with transaction.atomic():
            session = Session.objects.create(
                commission=schedule.commission,
                schedule=schedule,
                date=day,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
            )
            Slot.objects.bulk_create(
                Slot(
                    session=session,
                    number=number,
                    starts_at=starts_at + number * step,
                    ends_at=starts_at + (number + 1) * step,
                )
                for number in range(capacity)
            )
            audit_record(
                action="commission.session_created",
                actor_id=None,
                payload={"session": session.pk, "commission": schedule.commission_id, "starts_at": starts_at},
            )
    except IntegrityError:
        return None  # generated meanwhile by a concurrent run
    return session


def sessions_generate(
    *, weeks: int = 8, today: date | None = None, commission: Commission | None = None
) -> GenerationResult:
    """Create the sessions of every active schedule for the next `weeks` weeks (idempotent)."""
    start = today or timezone.localdate()
    end = start + timedelta(weeks=weeks)
    schedules = SessionSchedule.objects.filter(active=True, commission__active=True).select_related("commission")
    if commission is not None:
        schedules = schedules.filter(commission=commission)
    created: list[int] = []
    skipped: list[date] = []
    for schedule in schedules:
        days, holidays_skipped = session_days(schedule=schedule, start=start, end=end)
        skipped.extend(holidays_skipped)
        zone = ZoneInfo(schedule.timezone)
        existing = set(
            Session.objects.filter(commission=schedule.commission, date__in=days).values_list("starts_at", flat=True)
        )
        for day in days:
            if datetime.combine(day, schedule.start_time, tzinfo=zone) in existing:
                continue
            session = _session_create(schedule=schedule, day=day)
            if session is not None:
                created.append(session.pk)
    return GenerationResult(created=created, skipped_holidays=sorted(set(skipped)))
