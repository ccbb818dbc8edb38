"""What the open-data catalogue reads about its datasets, through the public `geoportal` alias: the territories'
extent (spatial coverage), the indicators' refreshes (days covered, last modification) and the authorised
projects' decision dates. Each is one small query."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections

from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.sql_files import sql_text

BoundingBox = tuple[float, float, float, float]  # west, south, east, north (longitude/latitude)
DayRange = tuple[date, date]


@dataclass(frozen=True)
class IndicatorsFreshness:
    first_day: date | None
    last_day: date | None
    refreshed_at: datetime | None  # the end of the latest successful refresh (any period)

    @property
    def coverage(self) -> DayRange | None:
        return (self.first_day, self.last_day) if self.first_day and self.last_day else None


def _row(name: str, *, using: str) -> tuple[object, ...]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql_text("opendata", name))
        return tuple(cursor.fetchone())


def territories_extent(*, using: str = PUBLIC_DATABASE) -> BoundingBox | None:
    west, south, east, north = _row("territories_extent", using=using)
    if west is None:
        return None
    return float(west), float(south), float(east), float(north)  # type: ignore[arg-type]


def indicators_freshness(*, using: str = PUBLIC_DATABASE) -> IndicatorsFreshness:
    first_day, last_day, refreshed_at = _row("indicator_refreshes", using=using)
    return IndicatorsFreshness(first_day=first_day, last_day=last_day, refreshed_at=refreshed_at)  # type: ignore[arg-type]


def projects_coverage(*, using: str = PUBLIC_DATABASE) -> DayRange | None:
    first, last = _row("authorised_projects_coverage", using=using)
    return (first, last) if first and last else None  # type: ignore[return-value]
