"""The reads of the office statistics: the user's scope and every table of the page, in a fixed number of queries.

The scope is the territories over which the user holds a back-office role (`permits.selectors.office_territories`:
a commune's desk sees its commune, a province's or region's staff the communes below, national staff and
superusers everything). The figures of a period come from the daily indicators' facts, built for the period and
the scope's communes (`opendata.indicators.file_facts_build`, a temporary table), with the same definitions
(`docs/opendata.md`); medians and 90th percentiles are computed over the period's files, never averaged over days.
The files over or close to their limit come from each file's clock (`permits.selectors.dossiers_by_days_left`).
No table names a person: files appear by reference, procedure and step only.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from gis_core.sql_files import sql_text
from opendata.indicators import facts_parameters, file_facts_build
from opendata.office.period import Period, recent_period
from opendata.office.tables import Column, Table, Value, localized, percent, rounded
from permits.clock import FileClock
from permits.commissions.models import BookingStatus, SessionStatus
from permits.deadlines import add_business_days
from permits.models import AUTHORISING_DECISIONS, ConsultationStatus, Decision, DecisionPath, Dossier, Role
from permits.models import ProcedureStep as Step
from permits.selectors import dossiers_by_days_left, office_territories

CLOSE_DAYS = 5  # business days left at most for a file to be listed as close to its limit
STEPS = (
    ("filing_to_decision", _("Filing to decision")),
    ("completeness", _("Completeness")),
    ("instruction", _("Instruction")),
    ("commission", _("Commission")),
    ("signature", _("Signature")),
)
STEP_LABELS = dict(STEPS)
Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class StaffScope:
    communes: list[int] | None  # the scope's communes; None: every commune (national)
    territories: list[int] | None  # those communes and the territories above them and below the given ones
    names: list[str]  # the given territories, for the heading; empty: national


def office_scope(*, user: Any) -> StaffScope | None:
    """The user's scope; None for anyone who holds no back-office role (an applicant, a member of the public)."""
    territories = office_territories(user=user)
    if not territories:
        return None
    if None in territories:
        return StaffScope(communes=None, territories=None, names=[])
    with connection.cursor() as cursor:
        cursor.execute(sql_text("opendata.office", "scope_communes"), {"territories": territories})
        communes = cursor.fetchall()
        cursor.execute(sql_text("opendata.office", "scope_names"), {"territories": territories})
        names = [localized(*row) for row in cursor.fetchall()]
    related = {territory for territory in territories if territory is not None}
    related |= {territory for row in communes for territory in row if territory is not None}
    return StaffScope(communes=sorted({row[0] for row in communes}), territories=sorted(related), names=names)


# --- the figures of a period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    desks: Rows
    times: Rows
    agencies: Rows
    commissions: Rows


def _fetch(cursor: Any, name: str, parameters: Mapping[str, object]) -> Rows:
    cursor.execute(sql_text("opendata.office", name), parameters)
    return list(cursor.fetchall())


def _period_figures(cursor: Any, scope: StaffScope, period: Period) -> PeriodFigures:
    window = period.window
    parameters = facts_parameters(window, communes=scope.communes) | {
        "first": period.first,
        "last": period.last,
        "territories": scope.territories,
        "pending": str(ConsultationStatus.PENDING),
        "authorising": [str(decision) for decision in AUTHORISING_DECISIONS],
        "refusal": str(Decision.UNFAVOURABLE),
        "held": str(SessionStatus.HELD),
    }
    file_facts_build(cursor, parameters)
    return PeriodFigures(
        desks=_fetch(cursor, "desks", parameters),
        times=_fetch(cursor, "step_times", parameters),
        agencies=_fetch(cursor, "agencies", parameters),
        commissions=_fetch(cursor, "commissions", parameters),
    )


def _desk_name(commune_id: int | None, names: Sequence[str]) -> str:
    return localized(*names) if commune_id is not None else str(_("All desks of the territory"))


def _desks_table(figures: PeriodFigures) -> Table:
    columns = (
        Column("desk", _("Desk (commune)")),
        Column("filed", _("Filed"), numeric=True),
        Column("decided", _("Decided"), numeric=True),
        Column("authorised", _("Authorised"), numeric=True),
        Column("refused", _("Refused"), numeric=True),
        Column("tacit", _("Tacitly authorised"), numeric=True),
        Column("within_limit_percent", _("Decided within the limit (%)"), numeric=True),
    )
    rows: list[tuple[Value, ...]] = [
        (_desk_name(row[0], row[1:4]), *row[4:9], percent(row[9])) for row in figures.desks
    ]
    return Table("desks", _("Files per desk"), columns, rows)


def _times_table(figures: PeriodFigures) -> Table:
    columns = (
        Column("desk", _("Desk (commune)")),
        Column("step", _("Step")),
        Column("files", _("Files"), numeric=True),
        Column("median_days", _("Median (days)"), numeric=True),
        Column("p90_days", _("90th percentile (days)"), numeric=True),
    )
    order = [key for key, _label in STEPS]
    ordered = sorted(figures.times, key=lambda row: (row[1] is None, localized(*row[2:5]), order.index(row[0])))
    rows: list[tuple[Value, ...]] = [
        (_desk_name(row[1], row[2:5]), str(STEP_LABELS[row[0]]), row[5], rounded(row[6]), rounded(row[7]))
        for row in ordered
    ]
    return Table("processing-times", _("Processing times per step"), columns, rows)


def _agencies_table(figures: PeriodFigures) -> Table:
    columns = (
        Column("agency", _("Agency")),
        Column("on_time", _("Opinions on time"), numeric=True),
        Column("late", _("Opinions late"), numeric=True),
        Column("tacit", _("Tacit opinions"), numeric=True),
        Column("median_days", _("Median opinion time (days)"), numeric=True),
        Column("p90_days", _("90th percentile (days)"), numeric=True),
        Column("pending_now", _("Consultations pending now"), numeric=True),
    )
    rows: list[tuple[Value, ...]] = [
        (localized(*row[2:5]), row[5], row[6], row[7], rounded(row[8]), rounded(row[9]), row[10])
        for row in figures.agencies
    ]
    return Table("agencies", _("Consulted agencies"), columns, rows)


def _commissions_table(figures: PeriodFigures) -> Table:
    columns = (
        Column("commission", _("Commission")),
        Column("sessions_held", _("Sessions held"), numeric=True),
        Column("slots_offered", _("Slots offered"), numeric=True),
        Column("slots_booked", _("Slots booked"), numeric=True),
        Column("files_examined", _("Files examined"), numeric=True),
        Column("files_per_session", _("Files examined per session"), numeric=True),
        Column("median_days", _("Median days in commission"), numeric=True),
    )
    rows: list[tuple[Value, ...]] = [
        (
            localized(row[1], row[2]),
            row[3],
            row[4],
            row[5],
            row[6],
            rounded(row[6] / row[3]) if row[3] else None,
            rounded(row[8]),
        )
        for row in figures.commissions
    ]
    return Table("commissions", _("Commissions"), columns, rows)


def _bottlenecks_table(figures: PeriodFigures) -> Table:
    """Where the files of the last 30 days waited longest: the steps (the whole scope), the agencies (dispatch to
    opinion) and the commissions (sent to commission to decision), by median wait, longest first."""
    waits: list[tuple[str, str, int, float, float]] = []
    for step, commune_id, *_names, files, median, p90 in figures.times:
        if commune_id is None and step != "filing_to_decision":
            waits.append((str(_("Step")), str(STEP_LABELS[step]), files, median, p90))
    for row in figures.agencies:
        if row[8] is not None:
            waits.append((str(_("Agency")), localized(*row[2:5]), row[5] + row[6] + row[7], row[8], row[9]))
    for row in figures.commissions:
        if row[8] is not None:
            waits.append((str(_("Commission")), localized(row[1], row[2]), row[7], row[8], row[9]))
    waits.sort(key=lambda wait: (-wait[3], -wait[4], wait[1]))
    columns = (
        Column("rank", _("Rank"), numeric=True),
        Column("kind", _("Where")),
        Column("name", _("Name")),
        Column("files", _("Files"), numeric=True),
        Column("median_days", _("Median wait (days)"), numeric=True),
        Column("p90_days", _("90th percentile (days)"), numeric=True),
    )
    rows: list[tuple[Value, ...]] = [
        (rank, kind, name, files, rounded(median), rounded(p90))
        for rank, (kind, name, files, median, p90) in enumerate(waits, start=1)
    ]
    return Table("bottlenecks", _("Bottlenecks of the last 30 days"), columns, rows)


# --- the files over or close to their limit now ----------------------------------------------------------------


def _holders(files: list[int]) -> dict[int, dict[str, list[str]]]:
    """The agencies whose opinion is pending and the commission booked, by file and kind."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not files:
        return found
    parameters = {"files": files, "pending": str(ConsultationStatus.PENDING), "active": str(BookingStatus.ACTIVE)}
    with connection.cursor() as cursor:
        for dossier_id, kind, *names in _fetch(cursor, "holders", parameters):
            found[dossier_id][kind].append(localized(*names))
    return found


def _holder(dossier: Dossier, clock: FileClock, held: dict[str, list[str]]) -> tuple[str, str]:
    """Who must act now: the signing authority, the service or commission that decides, the agencies whose opinion
    is pending, or the desk."""
    procedure = dossier.procedure
    if clock.step == Step.SIGNATURE:
        return str(_("Signing authority")), ""
    if clock.step == Step.DECISION:
        if procedure.decided_by == DecisionPath.SERVICE:
            return str(_("Service")), str(Role(procedure.decision_role).label)
        return str(_("Commission")), ", ".join(held["commission"]) or procedure.commission_name_fr
    if held["agency"]:
        return str(_("Agency")), ", ".join(held["agency"])
    commune = dossier.commune
    return str(_("Desk")), localized(commune.name_fr, commune.name_ar, commune.name_en)


def _limits_table(*, user: Any, scope: StaffScope, today: date) -> Table:
    listed = []
    due_by = add_business_days(today, CLOSE_DAYS + 1)  # a bound for the query; the clock's figures decide
    for dossier, clock in dossiers_by_days_left(user=user, today=today, due_by=due_by):
        limit = clock.next
        in_scope = scope.communes is None or dossier.commune_id in scope.communes
        if limit is not None and in_scope and limit.days_left <= CLOSE_DAYS:
            listed.append((dossier, clock, limit))
    held = _holders([dossier.pk for dossier, _clock, _limit in listed])
    columns = (
        Column("reference", _("Reference")),
        Column("procedure", _("Procedure")),
        Column("step", _("Step")),
        Column("limit", _("Limit")),
        Column("deadline", _("Deadline")),
        Column("business_days_left", _("Business days left"), numeric=True),
        Column("state", _("State")),
        Column("held_by", _("Held by")),
        Column("holder", _("Holder")),
    )
    rows: list[tuple[Value, ...]] = []
    for dossier, clock, limit in listed:
        procedure = dossier.procedure
        state = _("Over the limit") if limit.overdue else _("Close to the limit")
        rows.append(
            (
                dossier.reference or "",
                localized(procedure.name_fr, procedure.name_ar, procedure.name_en),
                clock.step_label,
                limit.step_label,
                limit.deadline,
                limit.days_left,
                str(state),
                *_holder(dossier, clock, held[dossier.pk]),
            )
        )
    title = _("Files over or close to their time limit (%(days)s business days or fewer left)") % {"days": CLOSE_DAYS}
    return Table("limits", title, columns, rows, files=[dossier.pk for dossier, _clock, _limit in listed])


# --- the page -------------------------------------------------------------------------------------------------


PERIOD_TABLES = {
    "desks": _desks_table,
    "processing-times": _times_table,
    "agencies": _agencies_table,
    "commissions": _commissions_table,
}
TABLE_KEYS = (*PERIOD_TABLES, "limits", "bottlenecks")


def _figures(scope: StaffScope, period: Period) -> PeriodFigures:
    with transaction.atomic(), connection.cursor() as cursor:  # the facts' temporary table lives until the commit
        return _period_figures(cursor, scope, period)


def office_statistics(*, user: Any, scope: StaffScope, period: Period, today: date) -> list[Table]:
    """Every table of the page, in `TABLE_KEYS` order: the period's figures, the files over or close to their limit
    today, the bottlenecks of the last 30 days (from the period's figures when it is that one)."""
    figures = _figures(scope, period)
    recent = recent_period(today)
    last_days = figures if period == recent else _figures(scope, recent)
    return [
        *(build(figures) for build in PERIOD_TABLES.values()),
        _limits_table(user=user, scope=scope, today=today),
        _bottlenecks_table(last_days),
    ]


def office_table(*, key: str, user: Any, scope: StaffScope, period: Period, today: date) -> Table:
    """One table of `TABLE_KEYS` (a download), reading only what it needs."""
    if key == "limits":
        return _limits_table(user=user, scope=scope, today=today)
    if key == "bottlenecks":
        return _bottlenecks_table(_figures(scope, recent_period(today)))
    return PERIOD_TABLES[key](_figures(scope, period))
