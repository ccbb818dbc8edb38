"""The dashboard's selection, read from the URL query: `territory` (a territory's code, empty for the nation),
`procedure` (a procedure's code of the catalogue, empty for all) and `period` (`YYYY` or `YYYY-MM`, the current
year when empty). A bad value raises `BadInput` naming the parameter."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from gis_core.models import Territory
from gis_core.problems import BadInput
from opendata.models import Period
from permits.models import Procedure

PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2}))?$")
FIRST_YEAR = 2000


@dataclass(frozen=True)
class DashboardPeriod:
    kind: Period  # a month or a year
    start: date  # the first day of the month or year, as in IndicatorSnapshot.day

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}" if self.kind == Period.MONTH else f"{self.start:%Y}"


@dataclass(frozen=True)
class DashboardFilters:
    territory: Territory | None  # None: the nation
    procedure: str  # '' for all procedures
    period: DashboardPeriod

    def query(self) -> dict[str, str]:
        """The selection as a URL query (a link to the same view)."""
        return {
            "territory": self.territory.code if self.territory else "",
            "procedure": self.procedure,
            "period": self.period.code,
        }


def period_parse(text: str, *, today: date) -> DashboardPeriod:
    if not text:
        return DashboardPeriod(Period.YEAR, date(today.year, 1, 1))
    match = PERIOD_PATTERN.match(text)
    year = int(match["year"]) if match else 0
    if not match or not FIRST_YEAR <= year <= today.year:
        raise BadInput(
            f"period must be a year (YYYY) or a month (YYYY-MM) from {FIRST_YEAR} to {today.year}.",
            parameter="period",
        )
    if match["month"] is None:
        return DashboardPeriod(Period.YEAR, date(year, 1, 1))
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise BadInput("period's month must be from 01 to 12.", parameter="period")
    return DashboardPeriod(Period.MONTH, date(year, month, 1))


def filters_parse(query: Mapping[str, str]) -> DashboardFilters:
    """The selection of a query; two small look-ups (the territory, the procedure) when they are given."""
    territory_code = query.get("territory", "").strip()
    procedure = query.get("procedure", "").strip()
    period = period_parse(query.get("period", "").strip(), today=timezone.localdate())
    territory = None
    if territory_code:
        territory = Territory.objects.filter(code=territory_code).first()
        if territory is None:
            raise BadInput(f"No territory has the code {territory_code!r}.", parameter="territory")
    if procedure and not Procedure.objects.filter(code=procedure).exists():
        raise BadInput(f"No procedure of the catalogue has the code {procedure!r}.", parameter="procedure")
    return DashboardFilters(territory=territory, procedure=procedure, period=period)
