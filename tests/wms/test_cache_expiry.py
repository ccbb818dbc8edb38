"""WMTS cached tiles expire: a tile older than `WMS_CACHE_MAX_AGE_SECONDS` is rendered again (MapProxy's
`refresh_before` on its file cache), so a publication whose invalidation was missed shows on the map all the same.

The whole stack is real (MapProxy, MapServer's CGI binary, PostGIS, the file cache on disk); the tiles are aged by
their modification time, which is what MapProxy reads."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from gis_core.events import Phase, event_subscribe, event_unsubscribe
from ogc_services.wms.conf import wms_settings
from ogc_services.wms.layers import VECTOR_LAYERS
from ogc_services.wms.mapproxy_config import mapproxy_config
from ogc_services.wms.subscribers import wms_on_dossier_published
from tests.permits.factories import DossierFactory
from tests.wms.conftest import Geoportal, image_drawn_pixels
from tests.wms.test_wmts import ZOOM, rest_tile

pytestmark = pytest.mark.django_db(transaction=True)


def cached_tiles(geoportal: Geoportal, layer: str, zoom: int = ZOOM) -> list[Path]:
    return sorted(Path(geoportal.directory, "cache", f"{layer}_cache_EPSG3857", f"{zoom:02d}").rglob("*.png"))


@contextmanager
def invalidations_missed() -> Iterator[None]:
    """Publications reach the map behind the WMS cache's back (a data fix in SQL, a cache restored from a backup)."""
    event_unsubscribe(name="dossier.publish", handler=wms_on_dossier_published, phase=Phase.IN_TRANSACTION)
    try:
        yield
    finally:
        event_subscribe(name="dossier.publish", handler=wms_on_dossier_published, phase=Phase.IN_TRANSACTION)


def test_cached_tiles_expire_so_a_missed_invalidation_ends(geoportal: Geoportal) -> None:
    config = yaml.safe_load(Path(geoportal.directory, "mapproxy.yaml").read_text())
    assert {cache["refresh_before"]["seconds"] for cache in config["caches"].values()} == {24 * 3600}
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) == 0
    with invalidations_missed():
        DossierFactory.create(published=True)
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) == 0, "stale while the tile is young"

    day_and_a_minute_ago = time.time() - 24 * 3600 - 60
    for tile in cached_tiles(geoportal, "authorised_projects"):
        os.utime(tile, (day_and_a_minute_ago, day_and_a_minute_ago))
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) > 0, "an expired tile is rendered again"
    assert all(tile.stat().st_mtime > time.time() - 60 for tile in cached_tiles(geoportal, "authorised_projects"))


@pytest.mark.parametrize(("max_age", "refresh_before"), [(3600, {"seconds": 3600}), (0, None)])
def test_the_expiry_follows_its_setting(
    wms_directory: Path, settings: Any, max_age: int, refresh_before: dict[str, int] | None
) -> None:
    settings.WMS_CACHE_MAX_AGE_SECONDS = max_age
    caches = mapproxy_config(wms_settings())["caches"]
    assert {layer.name for layer in VECTOR_LAYERS} <= {name.removesuffix("_cache") for name in caches}
    assert all(cache.get("refresh_before") == refresh_before for cache in caches.values())
