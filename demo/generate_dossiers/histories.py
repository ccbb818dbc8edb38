"""What a generated file is (`FileHistory`: its marks in time, its opinions, its place on a commission's agenda)
and how one is drawn from a seeded generator: step durations from log-normal distributions, outcomes by share."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from demo.generate_dossiers.places import Places
from demo.generate_dossiers.sessions import Agenda, Seat
from gis_core.models import Territory
from permits.models import Decision, DossierStatus, Procedure, ProcedureFamily
from permits.workflow import Action

S = DossierStatus
TRANSITIONS = {  # the status each mark leaves and reaches
    Action.SUBMIT: (S.DRAFT, S.SUBMITTED),
    Action.ACCEPT_COMPLETE: (S.SUBMITTED, S.UNDER_INSTRUCTION),
    Action.SEND_REMARKS: (S.REMARKS_ISSUED, S.AWAITING_APPLICANT),
    Action.REPLY_TO_REMARKS: (S.AWAITING_APPLICANT, S.UNDER_INSTRUCTION),
    Action.SEND_TO_COMMISSION: (S.UNDER_INSTRUCTION, S.IN_COMMISSION),
    Action.DECIDE: (S.IN_COMMISSION, S.DECIDED),
    Action.TACIT_DECISION: (S.IN_COMMISSION, S.DECIDED),
    Action.SIGN: (S.DECIDED, S.SIGNED),
    Action.SEAL_TACIT_DECISION: (S.DECIDED, S.SIGNED),
    Action.PUBLISH: (S.SIGNED, S.PUBLISHED),
    Action.WITHDRAW: (S.UNDER_INSTRUCTION, S.WITHDRAWN),
}
DECISIONS = frozenset({Action.DECIDE, Action.TACIT_DECISION})
OPINION_DAYS = 15  # an agency's time to answer, from the dispatch
METRES_PER_DEGREE = 111_320.0


@dataclass
class Opinion:
    """One agency consulted in the file's first instruction round; `given_at` None: still awaited."""

    agency_id: int
    dispatched_at: datetime
    deadline: date
    given_at: datetime | None
    tacit: bool = False


@dataclass
class FileHistory:
    """One file to write: where, what, and its marks in time order."""

    procedure: Procedure
    commune: Territory
    marks: list[tuple[Action, datetime]]
    decision: str = ""
    gross_floor_area_m2: float | None = None
    floors: int | None = None
    use: str = ""
    filing_paused_days: int = 0
    activity: str = ""
    footprint: str | None = None  # EWKT, a MultiPolygon in the commune
    opinions: list[Opinion] = field(default_factory=list)
    seat: Seat | None = None  # its place on a commission session's agenda, once sent to commission

    @property
    def status(self) -> str:
        return TRANSITIONS[self.marks[-1][0]][1] if self.marks else S.DRAFT

    def first(self, *actions: Action) -> datetime | None:
        return next((at for action, at in self.marks if action in actions), None)


def _days(generator: random.Random, median: float, spread: float = 0.6) -> timedelta:
    """A log-normal duration: most steps take about `median` days, a few much longer."""
    return timedelta(days=generator.lognormvariate(0, spread) * median)


def _footprint(generator: random.Random, centre: tuple[float, float], area_m2: float) -> str:
    """A square building of `area_m2`, turned by a random angle, around a point of the commune, as EWKT."""
    longitude, latitude = centre
    half = math.sqrt(area_m2) / 2
    angle = generator.random() * math.pi / 2
    cos, sin = math.cos(angle), math.sin(angle)
    metres_per_degree_east = METRES_PER_DEGREE * math.cos(math.radians(latitude))
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    ring = ", ".join(
        f"{longitude + (x * cos - y * sin) / metres_per_degree_east:.7f} "
        f"{latitude + (x * sin + y * cos) / METRES_PER_DEGREE:.7f}"
        for x, y in corners
    )
    return f"SRID=4326;MULTIPOLYGON((({ring})))"


def _opinions(generator: random.Random, places: Places, dispatched: datetime) -> list[Opinion]:
    """One or two agencies: 70% answer on time, 20% late, 10% stay silent (tacit opinion the day after the
    deadline)."""
    if not places.agency_ids:
        return []
    zone = ZoneInfo(settings.TIME_ZONE)
    deadline = dispatched.astimezone(zone).date() + timedelta(days=OPINION_DAYS)
    opinions = []
    for agency_id in generator.sample(places.agency_ids, min(len(places.agency_ids), generator.choice((1, 1, 2)))):
        outcome = generator.random()
        if outcome < 0.10:
            given = datetime.combine(deadline + timedelta(days=1), time(0, 5), tzinfo=zone)
            opinions.append(Opinion(agency_id, dispatched, deadline, given, tacit=True))
            continue
        days = generator.uniform(1, OPINION_DAYS - 1) if outcome < 0.80 else generator.uniform(OPINION_DAYS + 1, 40)
        opinions.append(Opinion(agency_id, dispatched, deadline, dispatched + timedelta(days=days)))
    return opinions


def history_draw(
    generator: random.Random, *, procedure: Procedure, commune: Territory, places: Places, agenda: Agenda,
    first_day: date, days: int,
) -> FileHistory:  # fmt: skip
    """One plausible file: filed on a working hour of a day of the period, then each step's duration drawn; a file
    sent to commission is decided at the first session of its commune's commission with a free slot."""
    zone = ZoneInfo(settings.TIME_ZONE)
    filed = datetime.combine(first_day + timedelta(days=generator.randrange(days)), time(9), tzinfo=zone)
    filed += timedelta(minutes=generator.randrange(8 * 60))
    history = FileHistory(procedure=procedure, commune=commune, marks=[(Action.SUBMIT, filed)])
    history.gross_floor_area_m2 = round(generator.lognormvariate(5.3, 0.7), 1)
    history.floors = generator.choice((1, 2, 2, 3, 3, 4, 5))
    if procedure.family == ProcedureFamily.ECONOMIC and places.activities:
        history.activity, history.use = generator.choice(places.activities)
    elif places.uses:
        history.use = generator.choice(places.uses)  # a code of the catalogue's nomenclature
    points = places.points.get(commune.pk)
    if points:
        area = max(history.gross_floor_area_m2 / history.floors, 20.0)
        history.footprint = _footprint(generator, generator.choice(points), area)
    moment = filed + _days(generator, 2)
    history.marks.append((Action.ACCEPT_COMPLETE, moment))
    history.opinions = _opinions(generator, places, moment + timedelta(hours=1))
    for _round in range(generator.choice((0, 0, 1, 1, 2))):
        moment += _days(generator, 5)
        history.marks.append((Action.SEND_REMARKS, moment))
        moment += _days(generator, 7)
        history.marks.append((Action.REPLY_TO_REMARKS, moment))
    outcome = generator.random()
    if outcome < 0.05:
        history.marks.append((Action.WITHDRAW, moment + _days(generator, 10)))
        return history
    moment += _days(generator, 12)
    history.marks.append((Action.SEND_TO_COMMISSION, moment))
    if outcome < 0.10:
        history.marks.append((Action.TACIT_DECISION, moment + _days(generator, 10) + timedelta(days=30)))
        history.decision = Decision.FAVOURABLE
        return history
    history.seat = agenda.seat(commune_id=commune.pk, booked_at=moment, wanted=moment + _days(generator, 10))
    moment = history.seat.decided_at
    history.marks.append((Action.DECIDE, moment))
    history.decision = Decision.UNFAVOURABLE if outcome < 0.25 else Decision.FAVOURABLE
    moment += _days(generator, 3)
    history.marks.append((Action.SIGN, moment))
    history.marks.append((Action.PUBLISH, moment + timedelta(minutes=1)))
    return history


def histories_draw(
    *, count: int, seed: int, procedures: Sequence[Procedure], communes: Sequence[Territory], places: Places,
    agenda: Agenda, first_day: date, days: int, until: datetime,
) -> Iterator[FileHistory]:  # fmt: skip
    """Files drawn from `seed`; what would happen after `until` has not happened yet (the file is still open)."""
    generator = random.Random(seed)
    for _number in range(count):
        history = history_draw(
            generator, procedure=generator.choice(procedures), commune=generator.choice(communes), places=places,
            agenda=agenda, first_day=first_day, days=days,
        )  # fmt: skip
        history.marks = [(action, at) for action, at in history.marks if at <= until]
        if not any(action in DECISIONS for action, _at in history.marks):
            history.decision = ""
        history.opinions = [opinion for opinion in history.opinions if opinion.dispatched_at <= until]
        for opinion in history.opinions:
            if opinion.given_at is not None and opinion.given_at > until:
                opinion.given_at, opinion.tacit = None, False
        if history.seat is not None and history.seat.booked_at > until:
            history.seat = None  # (its slot stays free: the agenda is drawn once, whatever `until`)
        yield history
