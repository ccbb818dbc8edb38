"""Generated files written by PostgreSQL COPY (psycopg 3 `cursor.copy`), one transaction per batch: the files,
their clocks, instruction rounds and consultations, the sessions they are booked in (slots, bookings, occupancies,
examinations), and their audit events chained after the head under its lock (`permits.audit.audit_history_head`),
so `verify_audit` still holds. Ids are taken from the tables' sequences before the rows are written.

Like a restore, this writes history that the workflow did not run live: the status stored is the last mark's `to`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from demo.generate_dossiers.histories import DECISIONS, TRANSITIONS, FileHistory
from demo.generate_dossiers.sessions import PlannedSession
from permits.audit import audit_history_head
from permits.clock import clock_rules, filing_limit
from permits.commissions.models import BookingStatus, SessionStatus
from permits.models import ConsultationStatus, Decision, Dossier, OpinionValue
from permits.workflow import Action

APPLICANT = "generated-applicant"
SECRETARY = "generated-secretary"  # books the generated files' slots and records their examinations
# `permits.audit.event_content` as canonical JSON (keys sorted, no spaces): the same text, formatted directly,
# because building and serialising a dict per event is most of the time of chaining millions of events.
EVENT_CONTENT = (
    '{{"action":"{action}","actor":null,"address":null,"at":"{at}","dossier":{dossier},'
    '"payload":{{"from":"{source}","reference":null,"to":"{target}"}},"sequence":{sequence}}}'
)
PAYLOAD = '{{"from": "{source}", "reference": null, "to": "{target}"}}'


def _account(username: str) -> int:
    user, _created = get_user_model().objects.get_or_create(username=username, defaults={"is_active": False})
    return int(user.pk)


def _ids(cursor: Any, table: str, count: int) -> list[int]:
    if not count:
        return []
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [f'"{table}"', count]
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Any, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `table`; a thread sends the data while the next rows are formatted."""
    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN', writer=QueuedLibpqWriter(cursor)) as copy:
        for row in rows:
            copy.write_row(row)


def _sessions_write(cursor: Any, sessions: list[PlannedSession], now: datetime) -> None:
    """New sessions and all their slots (booked or not)."""
    for session, session_id in zip(sessions, _ids(cursor, "commissions_session", len(sessions)), strict=True):
        session.id = session_id
        session.slot_ids.extend(_ids(cursor, "commissions_slot", session.capacity))
    status = {True: str(SessionStatus.HELD), False: str(SessionStatus.PLANNED)}
    _copy(
        cursor, "commissions_session", "id, commission_id, date, starts_at, ends_at, capacity, status, created_at",
        ((s.id, s.commission_id, s.day, s.starts_at, s.ends_at, s.capacity, status[s.held], now) for s in sessions),
    )  # fmt: skip
    _copy(
        cursor, "commissions_slot", "id, session_id, number, starts_at, ends_at",
        ((slot_id, s.id, number, *s.slot_times(number)) for s in sessions
         for number, slot_id in enumerate(s.slot_ids, start=1)),
    )  # fmt: skip


def _dossier_row(history: FileHistory, dossier_id: int, applicant: int, now: datetime) -> tuple[Any, ...]:
    filed = history.marks[0][1] if history.marks else None
    year = filed.astimezone(ZoneInfo(settings.TIME_ZONE)).year if filed else 0
    reference = f"{history.commune.code}/{year}/G{dossier_id:07d}" if filed else None
    return (
        dossier_id, history.procedure.pk, history.commune.pk, applicant, reference, "", history.footprint,
        (history.floors or 0) * 3.0 or None, history.floors, history.gross_floor_area_m2, history.use,
        history.activity, "{}", "{}", "[]", str(history.status), 1 if history.opinions else 0, str(history.decision),
        "", "", any(action == Action.TACIT_DECISION for action, _at in history.marks), filed or now,
        history.marks[-1][1] if history.marks else now, filed, history.first(*DECISIONS),
        history.first(Action.SIGN, Action.SEAL_TACIT_DECISION), history.first(Action.PUBLISH),
        history.first(Action.WITHDRAW),
    )  # fmt: skip


DOSSIER_COLUMNS = (
    "id, procedure_id, commune_id, applicant_id, reference, title, footprint, height_m, floors, gross_floor_area_m2, "
    "use, activity, answers, precheck, overlaps_at_filing, status, current_round, decision, decision_motivation, "
    "decision_conditions, decided_tacitly, created_at, updated_at, submitted_at, decided_at, signed_at, "
    "published_at, withdrawn_at"
)


def _consultations_write(cursor: Any, histories: Sequence[FileHistory], ids: list[int]) -> None:
    consulted = [(history, dossier_id) for history, dossier_id in zip(histories, ids, strict=True) if history.opinions]
    rounds = _ids(cursor, "permits_instructionround", len(consulted))
    _copy(
        cursor, "permits_instructionround", "id, dossier_id, number, opened_at, reason",
        ((round_id, dossier_id, 1, history.first(Action.ACCEPT_COMPLETE), "")
         for round_id, (history, dossier_id) in zip(rounds, consulted, strict=True)),
    )  # fmt: skip

    def status(given_at: datetime | None, tacit: bool) -> str:
        return str(
            ConsultationStatus.TACIT if tacit else ConsultationStatus.GIVEN if given_at else ConsultationStatus.PENDING
        )

    _copy(
        cursor, "permits_consultation",
        "dossier_id, round_id, agency_id, permanent, reasons, dispatched_at, deadline, status, opinion, motivation, "
        "given_at",
        ((dossier_id, round_id, o.agency_id, False, "[]", o.dispatched_at, o.deadline, status(o.given_at, o.tacit),
          str(OpinionValue.FAVOURABLE) if o.given_at else "", "", o.given_at)
         for round_id, (history, dossier_id) in zip(rounds, consulted, strict=True) for o in history.opinions),
    )  # fmt: skip


def _bookings_write(cursor: Any, histories: Sequence[FileHistory], ids: list[int], secretary: int) -> None:
    seated = [(history, dossier_id) for history, dossier_id in zip(histories, ids, strict=True) if history.seat]
    bookings = _ids(cursor, "commissions_booking", len(seated))
    rows = [
        (booking_id, history, dossier_id) for booking_id, (history, dossier_id) in zip(bookings, seated, strict=True)
    ]

    def slot(history: FileHistory) -> int:
        assert history.seat is not None
        return history.seat.session.slot_ids[history.seat.number - 1]

    _copy(
        cursor, "commissions_booking",
        "id, dossier_id, session_id, first_slot_id, slot_count, booked_by_id, status, created_at",
        ((booking_id, dossier_id, h.seat.session.id, slot(h), 1, secretary, str(BookingStatus.ACTIVE), h.seat.booked_at)
         for booking_id, h, dossier_id in rows if h.seat),
    )  # fmt: skip
    _copy(cursor, "commissions_slotoccupancy", "slot_id, booking_id", ((slot(h), b) for b, h, _d in rows))
    opinions = {str(Decision.UNFAVOURABLE): str(OpinionValue.UNFAVOURABLE)}
    _copy(
        cursor, "commissions_examination", "session_id, dossier_id, joint_opinion, joint_motivation, recorded_by_id, "
        "recorded_at",
        ((h.seat.session.id, dossier_id, opinions.get(str(h.decision), str(OpinionValue.FAVOURABLE)), "", secretary,
          h.seat.decided_at)
         for _b, h, dossier_id in rows if h.seat and h.seat.session.held and h.first(Action.DECIDE)),
    )  # fmt: skip


def _events_write(cursor: Any, histories: Sequence[FileHistory], ids: list[int]) -> None:
    with audit_history_head() as head:
        sequence, previous = head.last_sequence, head.last_hash

        def rows() -> Iterable[tuple[Any, ...]]:
            nonlocal sequence, previous
            for history, dossier_id in zip(histories, ids, strict=True):
                for action, at in history.marks:
                    sequence += 1
                    source, target = (str(status) for status in TRANSITIONS[action])
                    name = f"dossier.{action}"
                    content = EVENT_CONTENT.format(
                        action=name, at=at.astimezone(UTC).isoformat(timespec="microseconds"), dossier=dossier_id,
                        source=source, target=target, sequence=sequence,
                    )  # fmt: skip
                    digest = hashlib.sha256((content + previous).encode()).hexdigest()
                    payload = PAYLOAD.format(source=source, target=target)
                    yield sequence, dossier_id, name, at, payload, previous, digest
                    previous = digest

        _copy(cursor, "permits_auditevent", "sequence, dossier_id, action, at, payload, previous_hash, hash", rows())
        head.last_sequence, head.last_hash = sequence, previous


def _filing_limits(histories: Sequence[FileHistory]) -> Callable[[FileHistory, date], date | None]:
    """The clock's `filing_limit` of a history filed on a day (`permits.clock.filing_limit`): each procedure's rules
    read once, each (procedure, filing day, paused days) computed once."""
    procedures = {history.procedure.pk: history.procedure for history in histories}
    prefetch_related_objects(list(procedures.values()), "step_deadlines")
    rules = {pk: clock_rules(procedure) for pk, procedure in procedures.items()}

    @functools.cache
    def limit(procedure_id: int, filed_on: date, paused_days: int) -> date | None:
        return filing_limit(filed_on=filed_on, paused_days=paused_days, rules=rules[procedure_id])

    return lambda history, filed_on: limit(history.procedure.pk, filed_on, history.filing_paused_days)


@transaction.atomic
def histories_copy(histories: Sequence[FileHistory]) -> list[int]:
    """Write the files and all that hangs on them; their ids, in the order of `histories`."""
    applicant, secretary = _account(APPLICANT), _account(SECRETARY)
    now = timezone.now()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        ids = _ids(cursor, "permits_dossier", len(histories))
        fresh = {id(h.seat.session): h.seat.session for h in histories if h.seat and h.seat.session.id is None}
        _sessions_write(cursor, list(fresh.values()), now)
        _copy(
            cursor, "permits_dossier", DOSSIER_COLUMNS,
            (_dossier_row(history, dossier_id, applicant, now)
             for history, dossier_id in zip(histories, ids, strict=True)),
        )  # fmt: skip
        limit = _filing_limits(histories)
        _copy(
            cursor, "permits_dossierclock",
            "dossier_id, step, step_paused_days, filed_on, filing_paused_days, filing_limit, updated_at",
            ((dossier_id, "", 0, filed_on, history.filing_paused_days, limit(history, filed_on), now)
             for history, dossier_id in zip(histories, ids, strict=True) if history.marks
             for filed_on in [history.marks[0][1].astimezone(ZoneInfo(settings.TIME_ZONE)).date()]),
        )  # fmt: skip
        _consultations_write(cursor, histories, ids)
        _bookings_write(cursor, histories, ids, secretary)
        _events_write(cursor, histories, ids)
    return ids


def histories_write(histories: Sequence[FileHistory]) -> list[Dossier]:
    """`histories_copy`, and the files written, in the order of `histories` (hand-built sets of the tests)."""
    ids = histories_copy(histories)
    found = Dossier.objects.in_bulk(ids)
    return [found[dossier_id] for dossier_id in ids]
