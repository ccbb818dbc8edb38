"""Imports keep the tiles true: right after a committed import the tiles over its area show the new data (parcels
at once, pieced layers re-cut by the task it enqueues); a failed import leaves the cache as it was."""

from pathlib import Path
from typing import Any

import pytest
import shapely
from django.test import Client

from gis_core.importing import ImportAborted
from tests.factories import ParcelFactory, TerritoryFactory, ZoneFactory, ZoningPlanFactory, box
from tests.importing.conftest import faces_of_the_test, run, square, tasks_in_process, write_layer  # noqa: F401
from tests.tiles.test_tiles import LAT, LON, features, fetch, tile_at
from tiles.services import tiles_invalidate_all

pytestmark = pytest.mark.usefixtures("tiles_db")  # and faces_of_the_test (autouse): tasks run in this process
FAR = (2.35, 48.85)  # Paris: no data there, an empty tile is cached all the same


@pytest.fixture
def cambridge() -> None:
    commune = TerritoryFactory(code="TEST-CAMBRIDGE", geom=box(-71.2, 42.3, -71.0, 42.45))
    ParcelFactory(commune=commune, reference="OLD-1")
    ZoneFactory(
        commune=commune, plan=ZoningPlanFactory(name="Plan"), code="C-1", geom=box(-71.13, 42.36, -71.121, 42.38)
    )
    tiles_invalidate_all()  # pieces of the factory rows


def cached(client: Client, layer: str, z: int, lon: float = LON, lat: float = LAT) -> list[dict[str, Any]]:
    """The features of a tile, after making sure it is in the cache."""
    fetch(client, layer, tile_at(z, lon, lat))
    response = fetch(client, layer, tile_at(z, lon, lat))
    assert response["X-Tile-Cache"] == "hit"
    return features(response, layer)


def codes(zones: list[dict[str, Any]]) -> list[str]:
    return sorted(zone["properties"]["code"] for zone in zones)


def references(response: Any) -> set[str]:
    return {feature["properties"]["reference"] for feature in features(response, "parcels")}


def test_a_parcel_import_refreshes_the_tiles_of_its_area_only(cambridge: None, tmp_path: Path) -> None:
    client = Client()
    for z in (14, 16):
        assert {feature["properties"]["reference"] for feature in cached(client, "parcels", z)} == {"OLD-1"}
    assert cached(client, "parcels", 16, *FAR) == []

    path = write_layer(tmp_path / "p.geojson", [square(LON, LAT, 0.0002)], {"ref": ["NEW-1"]}, driver="GeoJSON")
    assert run("parcels", path).inserted == 1

    for z in (14, 16):
        response = fetch(client, "parcels", tile_at(z))
        assert response["X-Tile-Cache"] == "miss" and references(response) == {"OLD-1", "NEW-1"}, z
    assert fetch(client, "parcels", tile_at(16, *FAR))["X-Tile-Cache"] == "hit", "a tile far away stays cached"

    moved = write_layer(
        tmp_path / "m.geojson", [square(-71.1190, 42.3710, 0.0002)], {"ref": ["NEW-1"]}, driver="GeoJSON"
    )
    assert run("parcels", moved).updated == 1  # the old place may be anywhere: the whole layer is forgotten
    response = fetch(client, "parcels", tile_at(16))
    assert response["X-Tile-Cache"] == "miss" and references(response) == {"OLD-1"}
    assert fetch(client, "parcels", tile_at(16, *FAR))["X-Tile-Cache"] == "miss"


def test_a_zone_import_is_in_the_zones_tiles_at_once(cambridge: None, tmp_path: Path) -> None:
    client = Client()
    zooms = (10, 12, 14, 16)
    for z in zooms:
        assert "NEW-Z" not in codes(cached(client, "zones", z))
    assert codes(cached(client, "zones", 12)) == ["C-1"]

    path = write_layer(
        tmp_path / "z.geojson", [shapely.box(-71.121, 42.36, -71.11, 42.38)], {"zone": ["NEW-Z"]}, driver="GeoJSON"
    )
    assert run("zones", path, options={"plan": "Plan"}).inserted == 1  # its pieces are cut by the task it enqueues

    for z in zooms:
        response = fetch(client, "zones", tile_at(z))
        assert response["X-Tile-Cache"] == "miss" and "NEW-Z" in codes(features(response, "zones")), z
    assert codes(features(fetch(client, "zones", tile_at(12)), "zones")) == ["C-1", "NEW-Z"]


def test_a_failed_import_leaves_the_cache_as_it_was(cambridge: None, tmp_path: Path) -> None:
    client = Client()
    before = {layer: cached(client, layer, z) for layer, z in (("parcels", 16), ("zones", 12))}
    parcel = write_layer(tmp_path / "p.geojson", [square(LON, LAT)], {"ref": ["X" * 150]}, driver="GeoJSON")
    zone = write_layer(
        tmp_path / "z.geojson", [shapely.box(-71.121, 42.36, -71.11, 42.38)], {"zone": ["Z" * 80]}, driver="GeoJSON"
    )
    with pytest.raises(ImportAborted):
        run("parcels", parcel)  # the reference is too long for its column: rolled back after staging
    with pytest.raises(ImportAborted):
        run("zones", zone, options={"plan": "Plan"})  # the code is too long: rolled back
    for layer, z in (("parcels", 16), ("zones", 12)):
        response = fetch(client, layer, tile_at(z))
        assert response["X-Tile-Cache"] == "hit" and features(response, layer) == before[layer]


def test_tilejson_bounds_follow_a_parcel_import_made_after_they_were_served(cambridge: None, tmp_path: Path) -> None:
    client = Client()
    before = client.get("/tiles/parcels.json").json()["bounds"]
    assert before[0] > -71.15  # around OLD-1

    corner = (-71.19, 42.44)  # the commune's far corner
    path = write_layer(tmp_path / "p.geojson", [square(*corner, 0.0002)], {"ref": ["CORNER-1"]}, driver="GeoJSON")
    assert run("parcels", path).inserted == 1  # inserts only: the tiles of its area are forgotten, not the layer

    after = client.get("/tiles/parcels.json").json()["bounds"]
    assert after[0] == pytest.approx(corner[0], abs=1e-3) and after[3] >= corner[1]
