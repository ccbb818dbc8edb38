"""What the page shows besides the figures: the periods it offers, the charts' tables (the same columns for the
server-rendered tables and the script's), the translated strings the script shows. Labels in the page's language.
"""

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.models import TerritoryLevel
from opendata.dashboard.filters import FIRST_YEAR

# Each chart's columns, in order: (key in the chart's rows, its header). The label column is `label`.
COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "flow": [
        ("label", gettext_lazy("Month")),
        ("filed", gettext_lazy("Filed")),
        ("decided", gettext_lazy("Decided")),
        ("authorised", gettext_lazy("Authorised")),
    ],
    "steps": [
        ("label", gettext_lazy("Step")),
        ("files", gettext_lazy("Files")),
        ("median_days", gettext_lazy("Median (days)")),
        ("p90_days", gettext_lazy("90th percentile (days)")),
    ],
    "opinions": [
        ("label", gettext_lazy("Agency")),
        ("on_time", gettext_lazy("On time")),
        ("late", gettext_lazy("Late")),
        ("tacit", gettext_lazy("Tacit")),
    ],
    "uses": [
        ("label", gettext_lazy("Use")),
        ("files", gettext_lazy("Files authorised")),
        ("floor_area_m2", gettext_lazy("Floor area (m²)")),
    ],
}
CAPTIONS = {
    "flow": gettext_lazy("Files filed, decided and authorised per month"),
    "steps": gettext_lazy("Processing time per step, in days"),
    "opinions": gettext_lazy("Opinions of the consulted agencies"),
    "uses": gettext_lazy("What gets built: authorisations per use"),
}
MAP_LABELS = {
    "filed": gettext_lazy("Files filed"),
    "decided": gettext_lazy("Files decided"),
    "authorised": gettext_lazy("Files authorised"),
    "decision_days": gettext_lazy("Median decision time (days)"),
    "decided_within_limit": gettext_lazy("Share decided within the legal limit"),
    "authorised_floor_area_m2": gettext_lazy("Authorised floor area (m²)"),
}
STEP_LABELS = {
    "completeness": gettext_lazy("Completeness"),
    "instruction": gettext_lazy("Instruction"),
    "commission": gettext_lazy("Commission"),
    "signature": gettext_lazy("Signature"),
    "decision": gettext_lazy("Filing to decision"),
}


HEADLINE = [
    ("filed", gettext_lazy("Files filed")),
    ("decided", gettext_lazy("Files decided")),
    ("authorised", gettext_lazy("Files authorised")),
    ("refused", gettext_lazy("Files refused")),
    ("tacitly_decided", gettext_lazy("Decided tacitly")),
    ("decision_median", gettext_lazy("Median decision time")),
    ("decision_p90", gettext_lazy("Decision time, 90th percentile")),
    ("within_limit", gettext_lazy("Decided within the legal limit")),
    ("floor_area", gettext_lazy("Authorised floor area")),
]


def headline_values(figures: dict[str, Any]) -> dict[str, Any]:
    """The headline's raw values by key (the script formats the same keys from the JSON)."""
    share = figures["decided_within_limit"]["share"]
    return {
        **{key: figures[key] for key in ("filed", "decided", "authorised", "refused", "tacitly_decided")},
        "decision_median": figures["decision_days"]["median"],
        "decision_p90": figures["decision_days"]["p90"],
        "within_limit": None if share is None else share * 100,
        "floor_area": figures["authorised_floor_area_m2"],
    }


def headline(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures, formatted in the page's language."""
    values = headline_values(figures)
    units = {
        "decision_median": _("%(value)s days"),
        "decision_p90": _("%(value)s days"),
        "within_limit": _("%(value)s %%"),
        "floor_area": _("%(value)s m²"),
    }
    shown = []
    for key, label in HEADLINE:
        value = values[key]
        text = _cell(value, decimals=1 if key in ("decision_median", "decision_p90", "within_limit") else 0)
        if value is not None and key in units:
            text = units[key] % {"value": text}
        shown.append({"key": key, "label": label, "text": text})
    return shown


def period_options(*, first: int | None, today: date) -> list[dict[str, Any]]:
    """Per year, most recent first: the whole year, then its months up to the current one."""
    years = range(today.year, max(FIRST_YEAR, min(first or today.year, today.year)) - 1, -1)
    groups = []
    for year in years:
        last = today.month if year == today.year else 12
        months = [
            {"code": f"{year}-{month:02d}", "label": formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")}
            for month in range(1, last + 1)
        ]
        groups.append(
            {
                "year": year,
                "options": [{"code": str(year), "label": _("%(year)s, whole year") % {"year": year}}, *months],
            }
        )
    return groups


def _label(chart: str, row: dict[str, Any], language: str) -> str:
    if chart == "flow":
        year, month = (int(part) for part in row["month"].split("-"))
        return str(formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT"))
    if chart == "steps":
        return str(STEP_LABELS[row["step"]])
    return str(row.get(f"name_{language}") or row.get("name_fr") or row.get("agency") or row.get("use"))


def _cell(value: Any, *, decimals: int | None = None) -> str:
    if value is None:
        return "\u2013"  # an en dash: no figure
    if decimals is None:
        decimals = 1 if isinstance(value, float) else 0
    return str(formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True))


def chart_tables(data: dict[str, Any], *, language: str) -> dict[str, dict[str, Any]]:
    """Each chart as a table: caption, headers, rows of formatted cells (the label first)."""
    tables = {}
    for chart, columns in COLUMNS.items():
        rows = [
            [_label(chart, row, language), *(_cell(row[key]) for key, _header in columns[1:])]
            for row in data["charts"][chart]
        ]
        tables[chart] = {"caption": CAPTIONS[chart], "headers": [header for _key, header in columns], "rows": rows}
    return tables


def script_catalogue() -> dict[str, Any]:
    """The strings and column headers the dashboard script shows, translated into the active language."""
    return {
        "columns": {chart: [[key, str(header)] for key, header in columns] for chart, columns in COLUMNS.items()},
        "steps": {code: str(label) for code, label in STEP_LABELS.items()},
        "mapIndicators": {code: str(label) for code, label in MAP_LABELS.items()},
        "mapUnavailable": _("The map cannot be shown in this browser (WebGL is unavailable)."),
        "apiError": _("The service did not answer as expected: %(detail)s"),
        "networkError": _("The service cannot be reached. Check your connection and try again."),
        "loading": _("Updating the figures…"),
        "noData": _("No data"),
        "days": _("%(value)s days"),
        "share": _("%(value)s %%").replace("%%", "%"),
        "squareMetres": _("%(value)s m²"),
        "filed": _("Filed"),
        "decided": _("Decided"),
        "authorised": _("Authorised"),
        "median": _("Median"),
        "p90": _("90th percentile"),
        "onTime": _("On time"),
        "late": _("Late"),
        "tacit": _("Tacit"),
        "floorArea": _("Floor area (m²)"),
    }


def _local_name(item: Any, language: str) -> str:
    return str(getattr(item, f"name_{language}", "") or item.name_fr or item.code)


def territory_groups(options: dict[str, list[Any]], *, language: str) -> list[dict[str, Any]]:
    """The territories as option groups per level (regions, provinces, communes), named in the page's language."""
    return [
        {
            "label": TerritoryLevel(level).label,
            "options": sorted(
                ({"code": item.code, "label": _local_name(item, language)} for item in items),
                key=lambda option: option["label"].casefold(),
            ),
        }
        for level, items in options.items()
        if items
    ]


def procedure_choices(procedures: list[Any], *, language: str) -> list[dict[str, str]]:
    options = [{"code": item.code, "label": _local_name(item, language)} for item in procedures]
    return sorted(options, key=lambda option: option["label"].casefold())
