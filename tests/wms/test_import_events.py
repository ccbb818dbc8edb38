"""Imports keep the WMS/WMTS cache true: right after a committed import the cached tiles of the imported layer over
its area are gone and the next request draws the new data; a failed import leaves the cache as it was."""

import math
import urllib.request
from pathlib import Path

import pytest
import shapely

from gis_core.importing import ImportAborted
from tests.importing.conftest import faces_of_the_test, run, square, tasks_in_process, write_layer  # noqa: F401
from tests.wms.conftest import CASABLANCA_AREA, PARCEL_POINT, Geoportal, image_drawn_pixels

pytestmark = pytest.mark.django_db(transaction=True)  # and faces_of_the_test (autouse): tasks run in this process
ZOOM = 17
CASABLANCA = ((CASABLANCA_AREA[0] + CASABLANCA_AREA[2]) / 2, (CASABLANCA_AREA[1] + CASABLANCA_AREA[3]) / 2)


def tile_path(lon: float, lat: float, layer: str) -> str:
    n = 2**ZOOM
    column = int((lon + 180.0) / 360.0 * n)
    row = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return f"wmts/{layer}/webmercator/{ZOOM:02d}/{column}/{row}.png"


def tile(geoportal: Geoportal, layer: str, lon: float = PARCEL_POINT[0], lat: float = PARCEL_POINT[1]) -> bytes:
    with urllib.request.urlopen(geoportal.url + tile_path(lon, lat, layer), timeout=60) as response:
        return bytes(response.read())


def cached_files(geoportal: Geoportal, layer: str) -> set[Path]:
    return set(Path(geoportal.directory, "cache", f"{layer}_cache_EPSG3857").rglob("*.png"))


def test_a_parcel_import_drops_the_cached_tiles_of_its_area(geoportal: Geoportal, tmp_path: Path) -> None:
    before = image_drawn_pixels(tile(geoportal, "parcels"))
    tile(geoportal, "parcels", *CASABLANCA)
    cached = cached_files(geoportal, "parcels")
    assert cached
    lon, lat = PARCEL_POINT
    path = write_layer(
        tmp_path / "p.geojson", [square(lon + 0.0001, lat + 0.0005, 0.0003)], {"ref": ["NEW-1"]}, driver="GeoJSON"
    )
    assert run("parcels", path).inserted == 1

    remaining = cached_files(geoportal, "parcels")
    assert remaining and remaining < cached, "the Casablanca tiles stay, those of the imported area are gone"
    assert image_drawn_pixels(tile(geoportal, "parcels")) > before, "the new parcel is drawn"


def test_a_zone_import_drops_the_zones_cache(geoportal: Geoportal, tmp_path: Path) -> None:
    before = tile(geoportal, "zones", *CASABLANCA)
    assert cached_files(geoportal, "zones")
    west, south, east, north = CASABLANCA_AREA
    path = write_layer(
        tmp_path / "z.geojson", [shapely.box(west, south, east, north)], {"zone": ["NEW-Z"]}, driver="GeoJSON"
    )
    assert run("zones", path, options={"plan": "Plan"}).inserted == 1
    assert not cached_files(geoportal, "zones")
    assert image_drawn_pixels(tile(geoportal, "zones", *CASABLANCA)) > image_drawn_pixels(before)


def test_a_failed_import_leaves_the_cache_as_it_was(geoportal: Geoportal, tmp_path: Path) -> None:
    tile(geoportal, "parcels")
    cached = cached_files(geoportal, "parcels")
    lon, lat = PARCEL_POINT
    path = write_layer(tmp_path / "p.geojson", [square(lon, lat)], {"ref": ["X" * 150]}, driver="GeoJSON")
    with pytest.raises(ImportAborted):
        run("parcels", path)  # the reference is too long for its column: rolled back after staging
    assert cached and cached_files(geoportal, "parcels") == cached
