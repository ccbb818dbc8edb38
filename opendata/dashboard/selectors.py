"""The dashboard's reads, from the month and year `IndicatorSnapshot` rows only (never the files): one query for
the selection's figures and breakdowns, one for the monthly flow of its year, one for the communes of the map,
one each for the labels of the agencies and uses met; the version is the last successful `RefreshRun`.

The answer names no person and no file: counts, sums, shares and percentiles per territory, procedure, agency and
use. Labels come in the three languages, so one answer serves every page language (and one `ETag`).
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.contrib.gis.db.models import Extent
from django.db.models import Min, Q
from django.utils import timezone

from gis_core.models import Territory, TerritoryLevel
from opendata.dashboard.filters import DashboardFilters
from opendata.models import IndicatorSnapshot, Period, RefreshOutcome, RefreshRun
from parcels.models import Agency
from permits.models import Procedure
from permits.selectors import project_uses

# Bumped when the answer's shape changes, so that a cached copy is not taken as current.
SCHEMA_VERSION = 1
COUNTS = ("filed", "decided", "authorised", "refused", "tacitly_decided")
STEPS = ("completeness_days", "instruction_days", "commission_days", "signature_days", "decision_days")
OPINIONS = {"opinions_on_time": "on_time", "opinions_late": "late", "opinions_tacit": "tacit"}
FLOW = ("filed", "decided", "authorised")
WITHIN_LIMIT = "decided_within_limit"
FLOOR_AREA = "authorised_floor_area_m2"
BY_USE = "authorised_by_use"
SELECTION_INDICATORS = (*COUNTS, *STEPS, *OPINIONS, WITHIN_LIMIT, FLOOR_AREA, BY_USE)
# The map's indicators and the field of the snapshot each is read from.
MAP_INDICATORS = {
    "filed": "count",
    "decided": "count",
    "authorised": "count",
    "decision_days": "median",
    WITHIN_LIMIT: "value",
    FLOOR_AREA: "value",
}
# Each chart's fields, in the order of its rows' keys and of its CSV's columns.
LABELS = ("name_fr", "name_ar", "name_en")
CHARTS: dict[str, tuple[str, ...]] = {
    "flow": ("month", *FLOW),
    "steps": ("step", "files", "median_days", "p90_days"),
    "opinions": ("agency", *LABELS, *OPINIONS.values()),
    "uses": ("use", *LABELS, "files", "floor_area_m2"),
}

Row = tuple[str, str, int, float | None, float | None, float | None]  # indicator, breakdown, count, value, median, p90


@dataclass(frozen=True)
class DashboardVersion:
    refreshed_at: datetime | None

    def etag(self, filters: DashboardFilters, *, variant: str) -> str:
        """A weak ETag of the selection's answer in one representation (`variant`: json, steps-csv...)."""
        stamp = self.refreshed_at.isoformat() if self.refreshed_at else ""
        query = "&".join(f"{key}={value}" for key, value in filters.query().items())
        digest = hashlib.sha256(f"{SCHEMA_VERSION}:{stamp}:{query}".encode()).hexdigest()[:32]
        return f'W/"dashboard-{variant}-{digest}"'


def dashboard_version() -> DashboardVersion:
    """The end of the last successful refresh: the snapshots have not changed since."""
    last = (
        RefreshRun.objects.filter(outcome=RefreshOutcome.SUCCEEDED, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return DashboardVersion(refreshed_at=last)


def _scope(filters: DashboardFilters) -> Q:
    return Q(procedure=filters.procedure) & (
        Q(territory=filters.territory) if filters.territory else Q(territory__isnull=True)
    )


def _months(filters: DashboardFilters) -> list[date]:
    """The months of the period's year, up to the current month."""
    year, today = filters.period.start.year, timezone.localdate()
    last = today.month if year == today.year else 12
    return [date(year, month, 1) for month in range(1, last + 1)]


def _labels(row: Any, prefix: str) -> dict[str, str]:
    return {f"name_{language}": getattr(row, f"{prefix}_{language}") or "" for language in ("fr", "ar", "en")}


class Figure(NamedTuple):
    records: int  # the snapshot's `count` (a tuple has its own `count`)
    value: float | None
    median: float | None
    p90: float | None


NO_FIGURE = Figure(0, None, None, None)


def _totals(rows: list[Row]) -> dict[str, Figure]:
    """The selection's figures without a breakdown, by indicator."""
    return {
        indicator: Figure(count, value, median, p90)
        for indicator, breakdown, count, value, median, p90 in rows
        if not breakdown
    }


def _figures(totals: dict[str, Figure]) -> dict[str, Any]:
    figures: dict[str, Any] = {name: totals.get(name, NO_FIGURE).records for name in COUNTS}
    decision = totals.get("decision_days", NO_FIGURE)
    figures["decision_days"] = {"count": decision.records, "median": decision.median, "p90": decision.p90}
    within = totals.get(WITHIN_LIMIT, NO_FIGURE)
    figures[WITHIN_LIMIT] = {"count": within.records, "share": within.value}
    figures[FLOOR_AREA] = totals.get(FLOOR_AREA, NO_FIGURE).value or 0.0
    return figures


def _steps(totals: dict[str, Figure]) -> list[dict[str, Any]]:
    return [
        {
            "step": step.removesuffix("_days"),
            "files": figure.records,
            "median_days": figure.median,
            "p90_days": figure.p90,
        }
        for step in STEPS
        for figure in [totals.get(step, NO_FIGURE)]
    ]


def _opinions(rows: list[Row]) -> list[dict[str, Any]]:
    by_agency: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OPINIONS.values(), 0))
    for indicator, breakdown, count, *_ in rows:
        if indicator in OPINIONS and breakdown:
            by_agency[breakdown][OPINIONS[indicator]] = count
    names = {agency.code: _labels(agency, "name") for agency in Agency.objects.filter(code__in=list(by_agency))}
    agencies = [
        {"agency": code, **names.get(code, {"name_fr": code, "name_ar": "", "name_en": ""}), **counts}
        for code, counts in by_agency.items()
    ]
    return sorted(agencies, key=lambda row: (-sum(row[key] for key in OPINIONS.values()), row["agency"]))


def _uses(rows: list[Row]) -> list[dict[str, Any]]:
    found = {breakdown: (count, value) for indicator, breakdown, count, value, *_ in rows if indicator == BY_USE}
    if not found:
        return []
    labels = {use.code: _labels(use, "label") for use in project_uses().filter(code__in=list(found))}
    uses = [
        {
            "use": code,
            **labels.get(code, {"name_fr": code, "name_ar": "", "name_en": ""}),
            "files": count,
            "floor_area_m2": value or 0.0,
        }
        for code, (count, value) in found.items()
    ]
    return sorted(uses, key=lambda row: (-row["floor_area_m2"], row["use"]))


def _flow(filters: DashboardFilters) -> list[dict[str, Any]]:
    months = _months(filters)
    flow = {month: dict.fromkeys(FLOW, 0) for month in months}
    rows = IndicatorSnapshot.objects.filter(
        _scope(filters), period=Period.MONTH, day__in=months, breakdown="", indicator__in=FLOW
    ).values_list("day", "indicator", "count")
    for day, indicator, count in rows:
        flow[day][indicator] = count
    return [{"month": f"{month:%Y-%m}", **counts} for month, counts in flow.items()]


def _communes(filters: DashboardFilters) -> dict[str, dict[str, float | int | None]]:
    """Per commune code, the map's indicators for the period and procedure (zero files: absent)."""
    rows = IndicatorSnapshot.objects.filter(
        period=filters.period.kind,
        day=filters.period.start,
        procedure=filters.procedure,
        breakdown="",
        indicator__in=list(MAP_INDICATORS),
        territory__level=TerritoryLevel.COMMUNE,
    ).values_list("territory__code", "indicator", "count", "value", "median")
    communes: dict[str, dict[str, float | int | None]] = defaultdict(dict)
    for code, indicator, count, value, median in rows:
        communes[code][indicator] = {"count": count, "value": value, "median": median}[MAP_INDICATORS[indicator]]
    return dict(communes)


def _territory(territory: Territory | None) -> dict[str, str] | None:
    if territory is None:
        return None
    return {"code": territory.code, "level": territory.level, **_labels(territory, "name")}


def dashboard_data(*, filters: DashboardFilters, version: DashboardVersion) -> dict[str, Any]:
    """The whole dashboard of the selection (`docs/opendata.md`)."""
    rows: list[Row] = list(
        IndicatorSnapshot.objects.filter(
            _scope(filters),
            period=filters.period.kind,
            day=filters.period.start,
            indicator__in=SELECTION_INDICATORS,
        ).values_list("indicator", "breakdown", "count", "value", "median", "p90")
    )
    totals = _totals(rows)
    return {
        "filters": {**filters.query(), "territory": _territory(filters.territory)},
        "refreshed_at": version.refreshed_at.isoformat() if version.refreshed_at else None,
        "figures": _figures(totals),
        "charts": {"flow": _flow(filters), "steps": _steps(totals), "opinions": _opinions(rows), "uses": _uses(rows)},
        "communes": _communes(filters),
    }


# ---------------------------------------------------------------------------------------------------------
# The options of the page's filters


def territory_options() -> dict[str, list[Territory]]:
    """The territories per level, by name (regions, provinces, communes)."""
    options: dict[str, list[Territory]] = {str(level): [] for level in TerritoryLevel}
    for territory in Territory.objects.only("code", "level", "name_fr", "name_ar", "name_en").order_by("name_fr"):
        options[territory.level].append(territory)
    return options


def procedure_options() -> list[Procedure]:
    return list(Procedure.objects.only("code", "name_fr", "name_ar", "name_en").order_by("name_fr"))


def first_year() -> int | None:
    """The year of the earliest snapshot (the periods the page offers start there)."""
    first = IndicatorSnapshot.objects.filter(indicator="filed").aggregate(first=Min("day"))["first"]
    return first.year if first else None


def communes_extent() -> tuple[float, float, float, float] | None:
    extent = Territory.objects.filter(level=TerritoryLevel.COMMUNE).aggregate(extent=Extent("geom"))["extent"]
    return tuple(extent) if extent else None
