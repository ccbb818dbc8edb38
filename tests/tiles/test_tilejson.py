"""TileJSON's bounds and centre: the bounds hold every feature, the centre is a point on the data where most of the
layer is (not the middle of the bounds, which for data on two continents is the ocean)."""

from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from parcels.models import Parcel
from tests.factories import ParcelFactory, TerritoryFactory, box
from tiles.services import tiles_invalidate_all

pytestmark = pytest.mark.usefixtures("tiles_db")
CASABLANCA = box(-7.70, 33.50, -7.50, 33.65)
CAMBRIDGE = box(-71.20, 42.30, -71.00, 42.45)


@pytest.fixture
def two_continents() -> None:
    """Three parcels in Cambridge (MA), twelve in Casablanca."""
    cambridge = TerritoryFactory(code="TEST-CAMBRIDGE", geom=CAMBRIDGE)
    casablanca = TerritoryFactory(code="TEST-CASABLANCA", geom=CASABLANCA)
    for index in range(3):
        west = -71.12 + index * 0.001
        ParcelFactory(commune=cambridge, geom=box(west, 42.37, west + 0.0003, 42.3703))
    for index in range(12):
        west, south = -7.62 + (index % 4) * 0.001, 33.58 + (index // 4) * 0.001
        ParcelFactory(commune=casablanca, geom=box(west, south, west + 0.0004, south + 0.0004))
    tiles_invalidate_all()


def tilejson(layer: str) -> dict[str, Any]:
    response = Client().get(f"/tiles/{layer}.json")
    assert response.status_code == 200
    return dict(response.json())


def test_the_centre_is_on_a_feature_where_most_of_the_layer_is(two_continents: None) -> None:
    document = tilejson("parcels")
    west, south, east, north = document["bounds"]
    assert (west, south, east, north) == pytest.approx((-71.12, 33.58, -7.6166, 42.3703), abs=1e-5)
    lon, lat, zoom = document["center"]
    assert zoom == 14
    centre = Point(lon, lat, srid=4326)
    assert Parcel.objects.filter(geom__dwithin=(centre, 1e-6), commune__code="TEST-CASABLANCA").exists()
    middle = Point((west + east) / 2, (south + north) / 2, srid=4326)
    assert not Parcel.objects.filter(geom__dwithin=(middle, 1.0)).exists(), "the middle of the bounds is the ocean"


def test_the_territories_centre_is_on_a_territory(two_continents: None) -> None:
    lon, lat, _ = tilejson("territories")["center"]
    assert CAMBRIDGE.intersects(Point(lon, lat, srid=4326)) or CASABLANCA.intersects(Point(lon, lat, srid=4326))


def test_an_empty_layer_keeps_the_middle_of_its_bounds() -> None:
    document = tilejson("zones")
    west, south, east, north = document["bounds"]
    assert document["center"][:2] == pytest.approx([(west + east) / 2, (south + north) / 2])
