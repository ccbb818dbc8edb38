"""WMTS with OWSLib (KVP) and plain HTTP (REST), and the life of a decision on the cached map: a file that is
not published is never drawn nor queryable; publishing it puts it on the map at once (stale tiles removed)."""

import json
import math
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService

from ogc_services.wms.cache import wms_cache_invalidate
from permits.models import DossierStatus
from tests.permits.factories import DossierFactory, decided_state_write
from tests.wms.conftest import PARCEL_POINT, Geoportal, image_drawn_pixels, image_has_content

pytestmark = pytest.mark.django_db(transaction=True)
ZOOM = 18


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """Column and row of the Web Mercator (north-west origin) tile holding a point."""
    n = 2**zoom
    column = int((lon + 180.0) / 360.0 * n)
    row = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return column, row


def rest_tile(geoportal: Geoportal, layer: str, zoom: int = ZOOM) -> bytes:
    column, row = tile_of(*PARCEL_POINT, zoom)
    url = f"{geoportal.url}wmts/{layer}/webmercator/{zoom:02d}/{column}/{row}.png"
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("image/png")
        return response.read()


def test_owslib_gettile_has_content(geoportal: Geoportal) -> None:
    wmts = WebMapTileService(f"{geoportal.url}wmts/1.0.0/WMTSCapabilities.xml")
    assert {"zones", "parcels", "authorised_projects"} <= set(wmts.contents)
    assert {"webmercator", "wgs84", "lambert_nord"} <= set(wmts.tilematrixsets)
    column, row = tile_of(*PARCEL_POINT, ZOOM)
    matrix = next(name for name in wmts.tilematrixsets["webmercator"].tilematrix if int(name) == ZOOM)
    tile = wmts.gettile(
        layer="zones", tilematrixset="webmercator", tilematrix=matrix, row=row, column=column, format="image/png"
    )
    assert image_has_content(tile.read())


def test_rest_tile_has_content(geoportal: Geoportal) -> None:
    assert image_has_content(rest_tile(geoportal, "parcels"))


def authorised_at_parcel(geoportal: Geoportal) -> list[dict[str, Any]]:
    wms = WebMapService(geoportal.service, version="1.3.0")
    lon, lat = PARCEL_POINT
    half = 0.0005
    response = wms.getfeatureinfo(
        layers=["authorised_projects"],
        query_layers=["authorised_projects"],
        styles=[""],
        srs="EPSG:4326",
        bbox=(lon - half, lat - half, lon + half, lat + half),
        size=(256, 256),
        format="image/png",
        info_format="application/json",
        xy=(128, 128),
    )
    return list(json.loads(response.read())["features"])


def test_unpublished_file_is_never_drawn_and_publishing_refreshes_the_cache(geoportal: Geoportal) -> None:
    dossier = DossierFactory.create(signed=True)
    before = rest_tile(geoportal, "authorised_projects")  # now cached
    assert image_drawn_pixels(before) == 0
    assert authorised_at_parcel(geoportal) == []

    decided_state_write(dossier, DossierStatus.PUBLISHED)  # as the last signature does: `dossier.publish`

    after = rest_tile(geoportal, "authorised_projects")
    assert image_drawn_pixels(after) > 0, "the published project's cached tile was not invalidated"
    features = authorised_at_parcel(geoportal)
    assert [feature["properties"]["reference"] for feature in features] == [dossier.reference]
    text = json.dumps(features)
    applicant = dossier.applicant
    for personal in (applicant.username, applicant.email, dossier.title):
        assert personal not in text


def test_invalidate_removes_only_the_tiles_of_the_bbox(geoportal: Geoportal) -> None:
    rest_tile(geoportal, "zones")  # renders (and caches) a 4x4 metatile at z18
    rest_tile(geoportal, "zones", zoom=10)
    cache = Path(geoportal.directory, "cache", "zones_cache_EPSG3857")  # MapProxy names it by the grid's SRS
    at_zoom = sorted((cache / f"{ZOOM:02d}").rglob("*.png"))
    at_ten = sorted((cache / "10").rglob("*.png"))
    assert len(at_zoom) == 16 and len(at_ten) == 16  # one 4x4 metatile each
    lon, lat = PARCEL_POINT
    removed = wms_cache_invalidate("zones", (lon - 1e-5, lat - 1e-5, lon + 1e-5, lat + 1e-5))
    removed_at_zoom = len(at_zoom) - len(list((cache / f"{ZOOM:02d}").rglob("*.png")))
    removed_at_ten = len(at_ten) - len(list((cache / "10").rglob("*.png")))
    assert 1 <= removed_at_zoom <= 9 and 1 <= removed_at_ten <= 9  # the point's tile and its neighbours only
    assert removed == removed_at_zoom + removed_at_ten
    rest_tile(geoportal, "zones")  # re-rendered on demand
    with pytest.raises(KeyError):
        wms_cache_invalidate("no_such_layer", (0, 0, 1, 1))
