"""Fixtures of the parcel look-up tests: a Casablanca commune with parcels drawn as exact rectangles in
Lambert Nord Maroc (EPSG:26191), the metric SRID the pre-check measures in, so distances are known by hand; and the
same block committed once per module for the tests that read through the public read-only connection."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from pyproj import Transformer

from gis_core.models import Territory
from parcels.models import Agency, Overlay, Parcel, Zone, ZoningPlan
from tests.factories import (
    AgencyFactory,
    OverlayFactory,
    ParcelFactory,
    TerritoryFactory,
    ZoneFactory,
    ZoningPlanFactory,
    box,
)

LAMBERT = 26191
TO_LONLAT = Transformer.from_crs(LAMBERT, 4326, always_xy=True)
X0, Y0 = 300_000.0, 330_000.0  # a point in Casablanca, in EPSG:26191


def lambert_shape(west: float, south: float, east: float, north: float) -> shapely.Polygon:
    """A rectangle given in metres relative to (X0, Y0), in EPSG:26191 coordinates."""
    return shapely.box(X0 + west, Y0 + south, X0 + east, Y0 + north)


def to_lonlat(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_LONLAT.transform(xy[:, 0], xy[:, 1])))


def as_multipolygon(geometry: shapely.Geometry) -> Any:
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=4326)


def lambert_box(west: float, south: float, east: float, north: float) -> MultiPolygon:
    """The rectangle (metres relative to X0, Y0 in EPSG:26191) as a lon/lat MultiPolygon for the models."""
    return as_multipolygon(to_lonlat(shapely.segmentize(lambert_shape(west, south, east, north), 5.0)))


def lambert_geojson(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return shapely.geometry.mapping(lambert_shape(west, south, east, north))


@pytest.fixture
def casablanca(db: Any) -> Any:
    return TerritoryFactory(code="CASA-TEST", name_fr="Casablanca test", geom=box(-7.75, 33.45, -7.40, 33.70))


@pytest.fixture
def site_parcel(casablanca: Any) -> Any:
    """A 20 m x 30 m parcel (600 m²) whose east side is shared with `east_neighbour`."""
    return ParcelFactory(commune=casablanca, reference="1234/A", land_title="T-5678/C", geom=lambert_box(0, 0, 20, 30))


@pytest.fixture
def east_neighbour(casablanca: Any) -> Any:
    return ParcelFactory(commune=casablanca, reference="1234/B", geom=lambert_box(20, 0, 40, 30))


@pytest.fixture
def residential_zone(casablanca: Any) -> Any:
    """A zone covering the whole block: CES 0.6, COS 1.8, 12 m, 3 floors, setbacks 3 m (road) and 2 m."""
    return ZoneFactory(commune=casablanca, code="R1", geom=lambert_box(-100, -100, 100, 100))


# --- committed data for the tests that read through the public read-only connection -----------------------------

# Public look-ups read through the `geoportal` alias (role geoportal_reader, its own connection): it sees committed
# rows only. A transactional test would commit, then flush every table of the database (seconds per test here);
# instead the block the API tests read is committed once per module and removed after it.
PUBLIC_READS = pytest.mark.django_db(databases=["default", "geoportal"])
BLOCK_COMMUNE = "CASA-TEST"
BLOCK_PLAN = "Plan of the look-up tests"
BLOCK_AGENCY = "ONDA-TEST"


@dataclass(frozen=True)
class Block:
    """A commune, `site_parcel` and `east_neighbour` (as the fixtures above), the R1 zone over the block, an
    airport overlay over the west half of the site (agency ONDA-TEST), and a row of five 9 m parcels 1 km north."""

    commune: Any
    site_parcel: Any
    east_neighbour: Any
    zone: Any
    overlay: Any
    row: list[int]


def committed_block_remove() -> None:
    """Remove the block (and what an interrupted run may have left of it)."""
    Overlay.objects.filter(commune__code=BLOCK_COMMUNE).delete()
    Zone.objects.filter(commune__code=BLOCK_COMMUNE).delete()
    ZoningPlan.objects.filter(name=BLOCK_PLAN).delete()
    Parcel.objects.filter(commune__code=BLOCK_COMMUNE).delete()
    Agency.objects.filter(code=BLOCK_AGENCY).delete()
    Territory.objects.filter(code=BLOCK_COMMUNE).delete()


def committed_block_create() -> Block:
    commune = TerritoryFactory(code=BLOCK_COMMUNE, name_fr="Casablanca test", geom=box(-7.75, 33.45, -7.40, 33.70))
    site_parcel = ParcelFactory(
        commune=commune, reference="1234/A", land_title="T-5678/C", geom=lambert_box(0, 0, 20, 30)
    )
    east_neighbour = ParcelFactory(commune=commune, reference="1234/B", geom=lambert_box(20, 0, 40, 30))
    zone = ZoneFactory(
        commune=commune, plan=ZoningPlanFactory(name=BLOCK_PLAN), code="R1", geom=lambert_box(-100, -100, 100, 100)
    )
    agency = AgencyFactory(code=BLOCK_AGENCY, name_fr="Office national des aéroports", name_ar="المكتب")
    overlay = OverlayFactory(commune=commune, kind="airport", agency=agency, geom=lambert_box(-5, -5, 10, 40),
                             effective_geom=lambert_box(-5, -5, 10, 40))  # fmt: skip
    row = [ParcelFactory.create(commune=commune, geom=lambert_box(i * 10, 1000, i * 10 + 9, 1009)).id for i in range(5)]
    return Block(commune, site_parcel, east_neighbour, zone, overlay, row)


@pytest.fixture(scope="module")
def committed_block(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Block]:
    """The block, committed for the module's tests (mark them `PUBLIC_READS`, and leave it as it is)."""
    with django_db_blocker.unblock():
        committed_block_remove()
        try:
            yield committed_block_create()
        finally:
            committed_block_remove()
