"""The indicator engine: one period's snapshots (a day, a month or a year) computed from the audit trail and the
files by the same SQL over the period's own records, replacing that period's rows (a re-run gives the same
figures), each run logged as a `RefreshRun`. Definitions: `docs/opendata.md`."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gis_core.sql_files import run_sql
from opendata.models import IndicatorSnapshot, Period, RefreshOutcome, RefreshRun
from permits.commissions.models import SessionStatus
from permits.models import AUTHORISING_DECISIONS, ConsultationStatus, Decision
from permits.selectors import decision_limits
from permits.workflow import Action

LIMITS_BATCH = 2_000  # files whose limit is computed (in Python, from their clocks) at a time
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
class PeriodWindow:
    """[start, end) in the platform's time zone; `day` the period's first day, `until` the day after its last
    day counted (the period's end, or, for the running month or year, today: month-to-date, year-to-date)."""

    period: Period
    day: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def period_bounds(period: Period, day: date) -> tuple[date, date]:
    """The first day of the period containing `day` and the first day of the next one."""
    if period == Period.DAY:
        return day, day + timedelta(days=1)
    if period == Period.MONTH:
        first = day.replace(day=1)
        return first, (first + timedelta(days=31)).replace(day=1)
    return date(day.year, 1, 1), date(day.year + 1, 1, 1)


def period_window(period: Period, day: date) -> PeriodWindow:
    """The period containing `day`, counted up to its end or up to today (local), whichever comes first, but at
    least through `day`: a closed period's figures do not depend on when they are computed."""
    first, following = period_bounds(period, day)
    until = min(following, max(day + timedelta(days=1), timezone.localdate()))
    return PeriodWindow(period=period, day=first, until=until)


def _parameters(window: PeriodWindow) -> dict[str, object]:
    return {
        "period": str(window.period),
        "day": window.day,
        "until": window.until,
        "start": window.start,
        "end": window.end,
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


def _decision_limits_store(cursor: object, window: PeriodWindow) -> None:
    """Each file decided in the window gets the last day of its legal limit counted from filing (its clock's)."""
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT dossier_id FROM opendata_file_facts WHERE decided_at >= %s AND decided_at < %s",
        [window.start, window.end],
    )
    ids = [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]
    cursor.execute("CREATE INDEX ON opendata_file_facts (dossier_id)")  # type: ignore[attr-defined]
    for first in range(0, len(ids), LIMITS_BATCH):  # a year holds most files: memory stays flat
        limits = decision_limits(dossier_ids=ids[first : first + LIMITS_BATCH])
        cursor.execute(  # type: ignore[attr-defined]
            "UPDATE opendata_file_facts f SET decision_limit = l.day"
            " FROM unnest(%s::bigint[], %s::date[]) AS l(dossier_id, day) WHERE f.dossier_id = l.dossier_id",
            [list(limits), list(limits.values())],
        )


@transaction.atomic
def snapshots_compute(*, window: PeriodWindow) -> int:
    """Replace the snapshots of the window's period; the number of rows written."""
    parameters = _parameters(window)
    rows = IndicatorSnapshot.objects.filter(period=window.period, day=window.day)
    rows.delete()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("DROP TABLE IF EXISTS opendata_file_facts")  # left by an earlier window in this transaction
        run_sql(cursor, "opendata", "file_facts", parameters)
        _decision_limits_store(cursor, window)
        run_sql(cursor, "opendata", "file_indicators", parameters)
        run_sql(cursor, "opendata", "commission_indicators", parameters)
    return rows.count()


def indicators_refresh(*, day: date, period: Period = Period.DAY) -> RefreshRun:
    """Compute the snapshots of the period containing `day` and log the run; a failed run is logged (after the
    rollback) and raised."""
    window = period_window(period, day)
    run = RefreshRun.objects.create(period=period, day=window.day, started_at=timezone.now())
    try:
        run.rows = snapshots_compute(window=window)
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


def periods_refresh(*, days: list[date], periods: tuple[Period, ...] = tuple(Period)) -> list[RefreshRun]:
    """Each day (if asked), then each month and year containing them (if asked), each period computed once and
    through the last of its days: the nightly refresh and `opendata_refresh`."""
    runs = [indicators_refresh(day=day) for day in days if Period.DAY in periods]
    for period in (Period.MONTH, Period.YEAR):
        if period in periods:
            last_day_of_each = {period_bounds(period, day)[0]: day for day in sorted(days)}
            runs += [indicators_refresh(day=day, period=period) for day in last_day_of_each.values()]
    return runs
