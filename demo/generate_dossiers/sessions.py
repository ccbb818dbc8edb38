"""The commissions' agendas of generated files: one session per working day and commission, opened when a file
first needs it, with a fixed number of slots; a file takes the next free slot on or after the day it is ready."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from permits.commissions.models import Session, SessionStatus, Slot

WEEKEND = (5, 6)  # Saturday, Sunday
OPENS, CLOSES = time(9), time(17)


@dataclass
class PlannedSession:
    commission_id: int
    day: date
    capacity: int
    held: bool  # over before the generation's `until`
    booked: int = 0
    id: int | None = None  # given when written (`demo.generate_dossiers.writing`)
    slot_ids: array = field(default_factory=lambda: array("q"))

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, OPENS, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.day, CLOSES, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def slot_times(self, number: int) -> tuple[datetime, datetime]:
        length = (self.ends_at - self.starts_at) / self.capacity
        return self.starts_at + length * (number - 1), self.starts_at + length * number


@dataclass(frozen=True)
class Seat:
    """A file's slot (`number`, from 1) in a session, booked when it was sent to commission."""

    session: PlannedSession
    number: int
    booked_at: datetime

    @property
    def decided_at(self) -> datetime:
        return self.session.ends_at


def session_existing(commission_id: int, day: date) -> PlannedSession | None:
    """A session already in the database (an earlier generation) and its free slots, in their order."""
    found = Session.objects.filter(commission_id=commission_id, date=day).order_by("starts_at").first()
    if found is None:
        return None
    free = Slot.objects.filter(session=found, occupancy__isnull=True).order_by("number").values_list("id", flat=True)
    session = PlannedSession(commission_id, day, found.capacity, held=found.status == SessionStatus.HELD, id=found.pk)
    session.slot_ids.extend(free)
    return session


class Agenda:
    """The sessions of each commune's commission, filled in the order files ask for a seat."""

    def __init__(self, *, commissions: dict[int, int], capacity: int, until: datetime) -> None:
        self.commissions, self.capacity, self.until = commissions, capacity, until
        self.sessions: dict[tuple[int, date], PlannedSession] = {}

    def seat(self, *, commune_id: int, booked_at: datetime, wanted: datetime) -> Seat:
        commission_id = self.commissions[commune_id]
        day = wanted.astimezone(ZoneInfo(settings.TIME_ZONE)).date() + timedelta(days=1)
        while True:
            if day.weekday() not in WEEKEND:
                session = self.sessions.get((commission_id, day))
                if session is None:
                    session = session_existing(commission_id, day) or PlannedSession(
                        commission_id, day, self.capacity, held=False
                    )
                    session.held = session.held or session.ends_at <= self.until
                    self.sessions[commission_id, day] = session
                if session.booked < (len(session.slot_ids) if session.id else session.capacity):
                    session.booked += 1
                    return Seat(session, session.booked, booked_at)
            day += timedelta(days=1)
