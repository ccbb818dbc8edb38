"""Month and year snapshot rows written by hand (what the refresh would store), for the dashboard's tests: the
nation, two communes of one province (Anfa and Maârif, side by side) and one agency, in 2025."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from gis_core.models import Territory
from opendata.models import IndicatorSnapshot, RefreshOutcome, RefreshRun
from parcels.models import Agency
from permits.models import ProjectUse
from tests.factories import AgencyFactory, box, geodesic_area

YEAR = date(2025, 1, 1)
MARCH = date(2025, 3, 1)
ANFA_BOX = box(-7.66, 33.57, -7.62, 33.60)
MAARIF_BOX = box(-7.62, 33.57, -7.58, 33.60)


@dataclass(frozen=True)
class Dataset:
    anfa: Territory
    maarif: Territory
    agency: Agency
    use: ProjectUse


def snapshot(indicator: str, period: str, day: date, count: int, **fields: Any) -> IndicatorSnapshot:
    return IndicatorSnapshot.objects.create(indicator=indicator, period=period, day=day, count=count, **fields)


def _selection(period: str, day: date, territory: Territory | None, scale: int, dataset: Dataset) -> None:
    """The selection's figures: `scale` multiplies the counts, so that each selection has its own."""
    where = {"territory": territory}
    for indicator, count in (("filed", 12), ("decided", 10), ("authorised", 8), ("refused", 1), ("tacitly_decided", 1)):
        snapshot(indicator, period, day, count * scale, **where)
    snapshot("decision_days", period, day, 10 * scale, value=45.0, median=41.5, p90=88.25, **where)
    snapshot("completeness_days", period, day, 10 * scale, value=4.0, median=3.0, p90=9.5, **where)
    snapshot("commission_days", period, day, 9 * scale, value=20.0, median=18.0, p90=30.0, **where)
    snapshot("decided_within_limit", period, day, 9 * scale, value=0.75, **where)
    snapshot("authorised_floor_area_m2", period, day, 8 * scale, value=1234.5 * scale, median=150, p90=300, **where)
    snapshot("authorised_by_use", period, day, 6 * scale, value=900.0 * scale, breakdown=dataset.use.code, **where)
    snapshot("opinions_on_time", period, day, 7 * scale, breakdown=dataset.agency.code, **where)
    snapshot("opinions_late", period, day, 2 * scale, breakdown=dataset.agency.code, **where)
    # A day row and another procedure's: never read for this selection.
    snapshot("filed", "day", day, 999, **where)
    snapshot("filed", period, day, 555, procedure="occupancy-permit", **where)


def dashboard_dataset(places: dict[str, Territory]) -> Dataset:
    anfa, maarif = places["anfa"], places["maarif"]
    for territory, geometry in ((anfa, ANFA_BOX), (maarif, MAARIF_BOX)):
        territory.geom, territory.area_m2 = geometry, geodesic_area(geometry)
        territory.save(update_fields=["geom", "area_m2"])
    maarif.name_fr, maarif.name_ar = "Maârif", "المعاريف"
    maarif.save(update_fields=["name_fr", "name_ar"])
    use = ProjectUse.objects.order_by("order").first()
    assert use is not None, "the catalogue's uses (migration permits 0005)"
    dataset = Dataset(
        anfa=anfa,
        maarif=maarif,
        agency=AgencyFactory.create(code="WATER-T", name_fr="Office de l'eau", name_ar="المكتب"),
        use=use,
    )
    _selection("year", YEAR, None, 2, dataset)
    _selection("year", YEAR, anfa, 1, dataset)
    _selection("month", MARCH, None, 1, dataset)
    for month, filed in ((1, 5), (11, 4)):  # March's come from its selection above
        snapshot("filed", "month", date(2025, month, 1), filed)
    # The map: Maârif's year figures (Anfa's come from its selection above).
    snapshot("filed", "year", YEAR, 30, territory=maarif)
    snapshot("decision_days", "year", YEAR, 20, value=60.0, median=55.0, p90=90.0, territory=maarif)
    now = timezone.now()
    RefreshRun.objects.create(day=YEAR, started_at=now, finished_at=now, outcome=RefreshOutcome.SUCCEEDED, rows=40)
    return dataset
