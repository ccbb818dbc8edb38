"""Synthetic files for scale: procedures, communes, step durations drawn from plausible distributions, outcomes,
and the audit events the indicators read (`opendata`), written in bulk.

A file's history is a list of workflow marks (`dossier.<action>` with its from/to status and time). Files, their
clocks and their hash-chained audit events are written with `bulk_create` in one transaction, the events appended
after the chain's head under its lock (`permits.audit`), so `verify_audit` still holds. Like a restore, this writes
history that the workflow did not run live: the status stored is the last mark's `to`. Generated files carry no
personal data: one applicant account, `generated-applicant`, owns them all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from gis_core.models import Territory, TerritoryLevel
from permits.audit import audit_history_append
from permits.clock import clock_rules, filing_limit
from permits.models import AuditEvent, Decision, Dossier, DossierClock, DossierStatus, Procedure
from permits.selectors import project_use_codes
from permits.workflow import Action

S = DossierStatus
APPLICANT = "generated-applicant"
BATCH = 5_000  # files drawn and written per transaction
INSERT_BATCH = 1_000  # rows per INSERT: a file has ~35 columns, PostgreSQL binds at most 65,535 parameters
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

    @property
    def status(self) -> str:
        return TRANSITIONS[self.marks[-1][0]][1] if self.marks else S.DRAFT


def _days(generator: random.Random, median: float, spread: float = 0.6) -> timedelta:
    """A log-normal duration: most steps take about `median` days, a few much longer."""
    return timedelta(days=generator.lognormvariate(0, spread) * median)


def history_draw(
    generator: random.Random,
    *,
    procedure: Procedure,
    commune: Territory,
    first_day: date,
    days: int,
    uses: Sequence[str] = (),
) -> FileHistory:
    """One plausible file: filed on a working hour of a day of the period, then each step's duration drawn."""
    zone = ZoneInfo(settings.TIME_ZONE)
    filed = datetime.combine(first_day + timedelta(days=generator.randrange(days)), time(9), tzinfo=zone)
    filed += timedelta(minutes=generator.randrange(8 * 60))
    history = FileHistory(procedure=procedure, commune=commune, marks=[(Action.SUBMIT, filed)])
    history.gross_floor_area_m2 = round(generator.lognormvariate(5.3, 0.7), 1)
    history.floors = generator.choice((1, 2, 2, 3, 3, 4, 5))
    history.use = generator.choice(uses) if uses else ""  # a code of the catalogue's nomenclature
    moment = filed + _days(generator, 2)
    history.marks.append((Action.ACCEPT_COMPLETE, moment))
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
    moment += _days(generator, 10)
    if outcome < 0.10:
        history.marks.append((Action.TACIT_DECISION, moment + timedelta(days=30)))
        history.decision = Decision.FAVOURABLE
        return history
    history.marks.append((Action.DECIDE, moment))
    history.decision = Decision.UNFAVOURABLE if outcome < 0.25 else Decision.FAVOURABLE
    moment += _days(generator, 3)
    history.marks.append((Action.SIGN, moment))
    history.marks.append((Action.PUBLISH, moment + timedelta(minutes=1)))
    return history


def histories_draw(
    *,
    count: int,
    seed: int,
    procedures: Sequence[Procedure],
    communes: Sequence[Territory],
    first_day: date,
    days: int,
    until: datetime,
    uses: Sequence[str] = (),
) -> Iterator[FileHistory]:
    """Files drawn from `seed`; what would happen after `until` has not happened yet (the file is still open)."""
    generator = random.Random(seed)
    for _number in range(count):
        history = history_draw(
            generator,
            procedure=generator.choice(procedures),
            commune=generator.choice(communes),
            first_day=first_day,
            days=days,
            uses=uses,
        )
        history.marks = [(action, at) for action, at in history.marks if at <= until]
        if not any(action in DECISIONS for action, _at in history.marks):
            history.decision = ""
        yield history


def _applicant() -> Any:
    user, _created = get_user_model().objects.get_or_create(username=APPLICANT, defaults={"is_active": False})
    return user


def _clock(dossier: Dossier, history: FileHistory) -> DossierClock:
    """The file's clock as its marks leave it: its filing day, pauses and limit counted from filing."""
    filed_on = history.marks[0][1].astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    paused_days = history.filing_paused_days
    return DossierClock(
        dossier=dossier,
        filed_on=filed_on,
        filing_paused_days=paused_days,
        filing_limit=filing_limit(filed_on=filed_on, paused_days=paused_days, rules=clock_rules(history.procedure)),
    )


@transaction.atomic
def histories_write(histories: Sequence[FileHistory]) -> list[Dossier]:
    """Write the files, their clocks and their audit events; the files, saved."""
    applicant = _applicant()
    prefetch_related_objects([history.procedure for history in histories], "step_deadlines")  # the clocks' limits
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                status=history.status,
                procedure=history.procedure,
                commune=history.commune,
                applicant=applicant,
                decision=history.decision,
                decided_tacitly=any(action == Action.TACIT_DECISION for action, _at in history.marks),
                gross_floor_area_m2=history.gross_floor_area_m2,
                floors=history.floors,
                use=history.use,
                submitted_at=history.marks[0][1] if history.marks else None,
            )
            for history in histories
        ],
        batch_size=INSERT_BATCH,
    )
    DossierClock.objects.bulk_create(
        [_clock(dossier, history) for dossier, history in zip(dossiers, histories, strict=True) if history.marks],
        batch_size=INSERT_BATCH,
    )
    events = [
        AuditEvent(
            dossier=dossier,
            action=f"dossier.{action}",
            at=at,
            payload={"from": str(TRANSITIONS[action][0]), "to": str(TRANSITIONS[action][1]), "reference": None},
        )
        for dossier, history in zip(dossiers, histories, strict=True)
        for action, at in history.marks
    ]
    audit_history_append(events, batch_size=INSERT_BATCH)
    return dossiers


def dossiers_generate(*, count: int, seed: int = 0, first_day: date, days: int = 365) -> int:
    """`count` files over the active procedures and every commune, filed in the `days` from `first_day`."""
    procedures = list(Procedure.objects.filter(active=True).order_by("code"))
    communes = list(Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code"))
    if not procedures or not communes:
        raise LookupError("generating files needs the procedure catalogue and at least one commune")
    written, batch = 0, []
    for history in histories_draw(
        count=count,
        seed=seed,
        procedures=procedures,
        communes=communes,
        first_day=first_day,
        days=days,
        until=timezone.now(),
        uses=sorted(project_use_codes()),
    ):
        batch.append(history)
        if len(batch) == BATCH:
            written += len(histories_write(batch))
            batch = []
    if batch:
        written += len(histories_write(batch))
    return written
