"""The indicator engine: one day's snapshots computed from the audit trail and the files, replacing that day's
rows (a re-run gives the same figures), each run logged as a `RefreshRun`. Definitions: `docs/opendata.md`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gis_core.sql_files import run_sql, sql_text
from opendata.models import IndicatorSnapshot, RefreshOutcome, RefreshRun
from permits.commissions.models import SessionStatus
from permits.models import AUTHORISING_DECISIONS, ConsultationStatus, Decision
from permits.selectors import decision_limits
from permits.workflow import Action

DECISIONS = (Action.DECIDE, Action.DECIDE_WITHOUT_COMMISSION, Action.TACIT_DECISION)
SIGNATURES = (Action.SIGN, Action.SEAL_TACIT_DECISION)
MARKS = (
    Action.SUBMIT,
    Action.ACCEPT_COMPLETE,
    Action.SEND_TO_COMMISSION,
    Action.SEND_REMARKS,
    Action.PUBLISH,
    Action.WITHDRAW,
    *DECISIONS,
    *SIGNATURES,
)


def _event(action: Action) -> str:
    return f"dossier.{action}"


@dataclass(frozen=True)
class DayWindow:
    day: date
    start: datetime
    end: datetime


def day_window(day: date) -> DayWindow:
    """The day from local midnight to the next (the platform's time zone)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return DayWindow(day=day, start=start, end=datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone))


def facts_parameters(window: DayWindow, *, communes: list[int] | None = None) -> dict[str, object]:
    """The parameters of the SQL files that read the facts (`communes`: the files of these communes only)."""
    return {
        "day": window.day,
        "start": window.start,
        "end": window.end,
        "communes": communes,
        "tz": settings.TIME_ZONE,
        "actions": [_event(action) for action in MARKS],
        "submit": _event(Action.SUBMIT),
        "complete": _event(Action.ACCEPT_COMPLETE),
        "to_commission": _event(Action.SEND_TO_COMMISSION),
        "decide": [_event(action) for action in DECISIONS],
        "tacit": _event(Action.TACIT_DECISION),
        "sign": [_event(action) for action in SIGNATURES],
        "publish": _event(Action.PUBLISH),
        "withdraw": _event(Action.WITHDRAW),
        "remarks": _event(Action.SEND_REMARKS),
        "authorising": [str(decision) for decision in AUTHORISING_DECISIONS],
        "refusal": str(Decision.UNFAVOURABLE),
        "tacit_opinion": str(ConsultationStatus.TACIT),
        "held": str(SessionStatus.HELD),
    }


def _decision_limits_store(cursor: object, window: DayWindow) -> None:
    """Each file decided that day gets the last day of its legal limit counted from filing (its clock's)."""
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT dossier_id FROM opendata_file_facts WHERE decided_at >= %s AND decided_at < %s",
        [window.start, window.end],
    )
    ids = [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]
    limits = decision_limits(dossier_ids=ids)
    if limits:  # one statement: a period's thousands of files are not updated one scan each
        cursor.execute(  # type: ignore[attr-defined]
            "UPDATE opendata_file_facts f SET decision_limit = l.last_day"
            " FROM unnest(%s::bigint[], %s::date[]) AS l(dossier_id, last_day) WHERE f.dossier_id = l.dossier_id",
            [list(limits), list(limits.values())],
        )


def file_facts_build(cursor: object, window: DayWindow, parameters: dict[str, object]) -> None:
    """The temporary table `opendata_file_facts` of the files with an event in the window, dropped at commit (call
    it in a transaction), with each decided file's limit counted from filing."""
    cursor.execute("DROP TABLE IF EXISTS opendata_file_facts")  # type: ignore[attr-defined]  # an earlier window's
    cursor.execute(sql_text("opendata", "file_facts"), parameters)  # type: ignore[attr-defined]
    cursor.execute("ANALYZE opendata_file_facts")  # type: ignore[attr-defined]  # never analysed by autovacuum
    _decision_limits_store(cursor, window)


@transaction.atomic
def snapshots_compute(*, day: date) -> int:
    """Replace the snapshots of `day`; the number of rows written."""
    window = day_window(day)
    parameters = facts_parameters(window)
    IndicatorSnapshot.objects.filter(day=day).delete()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        file_facts_build(cursor, window, parameters)
        run_sql(cursor, "opendata", "file_indicators", parameters)
        run_sql(cursor, "opendata", "commission_indicators", parameters)
    return IndicatorSnapshot.objects.filter(day=day).count()


def indicators_refresh(*, day: date) -> RefreshRun:
    """Compute one day's snapshots and log the run; a failed run is logged (after the rollback) and raised."""
    run = RefreshRun.objects.create(day=day, started_at=timezone.now())
    try:
        run.rows = snapshots_compute(day=day)
    except Exception as error:  # logged in the run log, then raised again for the caller (task, command)
        run.outcome, run.error = RefreshOutcome.FAILED, f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        raise
    run.outcome, run.finished_at = RefreshOutcome.SUCCEEDED, timezone.now()
    run.save(update_fields=["rows", "outcome", "finished_at"])
    return run


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
