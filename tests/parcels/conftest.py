"""Fixtures of the parcel look-up tests: a Casablanca commune with parcels drawn as exact rectangles in
Lambert Nord Maroc (EPSG:26191), the metric SRID the pre-check measures in, so distances are known by hand."""

from typing import Any

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from pyproj import Transformer

from tests.factories import ParcelFactory, TerritoryFactory, ZoneFactory, box

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
