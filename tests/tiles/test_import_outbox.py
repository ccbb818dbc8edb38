"""An import's cache work is never lost (`gis_core.outbox`): the tile, WMS/WMTS and OGC extent rows are written in the
import's transaction; with Redis down at the import (the tile cache, and the broker too), the tile row stays
pending while the import itself succeeds, and once Redis is back (with its stale tiles: it persists) beat's
leftovers' task forgets them (a pieced layer's pieces re-cut first) and marks the row done.

Real parts: a persistent Redis of the test's own as the tile cache and the broker, killed and started again; the
real import pipeline over a small GeoJSON file."""

import json
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.db import connections
from django.test import Client
from django.utils import timezone

from gis_core.outbox import OutboxStatus
from ogc_services.models import ExtentGrowth
from ogc_services.wms.models import WmsImportInvalidation
from tests.faults.redis_server import RedisServer
from tests.importing.conftest import run, square, write_layer
from tests.tiles import test_invalidation_outbox as publication_outbox
from tests.tiles.test_tiles import LAT, LON, cambridge, features, fetch, tile_at  # noqa: F401  (fixture)
from tiles.models import TileImportInvalidation
from tiles.tasks import tile_import_invalidations_resume

pytestmark = [
    pytest.mark.usefixtures("tiles_db", "cambridge"),
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),  # config.wsgi checks the reader
]

RETRY_AFTER = publication_outbox.RETRY_AFTER
cache_redis = publication_outbox.cache_redis  # the fixtures of the publication's outbox test
broker_at = publication_outbox.broker_at


@pytest.fixture(autouse=True)
def faces_files(settings: Any, tmp_path: Path) -> None:
    """The WMS cache and the OGC API's extents are the test's own, not those under var/."""
    settings.WMS_DIR = tmp_path / "wms"
    settings.WMS_CACHE_DIR = tmp_path / "wms" / "cache"
    settings.OGC_CONFIG_DIR = tmp_path / "ogc"


def references(client: Client, layer: str, field: str, expected_cache: str) -> list[str]:
    response = fetch(client, layer, tile_at(16))
    assert response["X-Tile-Cache"] == expected_cache
    return sorted(str(feature["properties"].get(field)) for feature in features(response, layer))


def overdue(model: Any) -> None:
    """As when the leftovers' task comes by later: the rows' retry is overdue."""
    model.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now() - timedelta(minutes=1))


def test_redis_down_during_a_parcel_import_the_rows_wait_and_the_leftovers_forget_the_tiles(
    cache_redis: RedisServer, broker_at: Any, tmp_path: Path, settings: Any
) -> None:
    broker_at(cache_redis.url(1))  # one Redis for everything, as `make run` has it
    client = Client()
    assert references(client, "parcels", "reference", "miss") == ["160-43", "160-44"]
    assert references(client, "parcels", "reference", "hit") == ["160-43", "160-44"]
    key = f"{connections['geoportal'].settings_dict['NAME']}:parcels"
    settings.OGC_CONFIG_DIR.mkdir()
    (settings.OGC_CONFIG_DIR / "extents.json").write_text(json.dumps({key: {"bbox": [-71.2, 42.3, -71.15, 42.35]}}))

    cache_redis.stop()
    path = write_layer(
        tmp_path / "p.geojson", [square(LON - 0.0001, LAT - 0.0001, 0.0002)], {"ref": ["NEW-1"]}, driver="GeoJSON"
    )
    assert run("parcels", path).inserted == 1, "the import itself succeeds"
    invalidation = TileImportInvalidation.objects.get()
    assert (invalidation.layer, invalidation.only_inserted, invalidation.status) == ("parcels", True, "pending")
    assert invalidation.attempts == 1 and invalidation.last_error.startswith("TileCacheUnavailable")
    assert WmsImportInvalidation.objects.get().status == OutboxStatus.DONE, "the WMTS file cache was reachable"
    assert ExtentGrowth.objects.get().status == OutboxStatus.DONE
    grown = json.loads((settings.OGC_CONFIG_DIR / "extents.json").read_text())[key]["bbox"]
    assert grown == pytest.approx([-71.2, 42.3, LON + 0.0001, LAT + 0.0001])

    cache_redis.start()  # its keys are back, the stale tile among them
    time.sleep(RETRY_AFTER + 0.1)
    assert references(client, "parcels", "reference", "hit") == ["160-43", "160-44"], "the stale tile"
    assert tile_import_invalidations_resume() == 0, "not overdue yet: its retry may still come"
    overdue(TileImportInvalidation)
    assert tile_import_invalidations_resume() == 1
    invalidation.refresh_from_db()
    assert invalidation.status == OutboxStatus.DONE and invalidation.attempts == 2
    assert references(client, "parcels", "reference", "miss") == ["160-43", "160-44", "NEW-1"]
    assert tile_import_invalidations_resume() == 0


def test_broker_down_during_a_zone_import_the_leftovers_re_cut_the_pieces(
    cache_redis: RedisServer, broker_at: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broker_at(cache_redis.url(1))
    client = Client()
    assert references(client, "zones", "code", "miss") == ["C-1"]

    cache_redis.stop()
    zone = shapely.box(LON - 0.001, LAT - 0.001, LON + 0.001, LAT + 0.001)
    path = write_layer(tmp_path / "z.geojson", [zone], {"zone": ["NEW-Z"]}, driver="GeoJSON")
    with caplog.at_level(logging.WARNING, logger="gis_core.outbox"):
        assert run("zones", path, options={"plan": "Plan"}).inserted == 1
    invalidation = TileImportInvalidation.objects.get()
    assert (invalidation.layer, invalidation.status, invalidation.attempts) == ("zones", "pending", 0)
    assert any("left to the leftovers' task" in record.getMessage() for record in caplog.records)

    cache_redis.start()
    time.sleep(RETRY_AFTER + 0.1)
    assert references(client, "zones", "code", "hit") == ["C-1"], "the stale tile, and pieces not re-cut yet"
    overdue(TileImportInvalidation)
    assert tile_import_invalidations_resume() == 1
    assert references(client, "zones", "code", "miss") == ["C-1", "NEW-Z"]


def test_a_failed_import_writes_no_row(cache_redis: RedisServer, tmp_path: Path) -> None:
    from gis_core.importing import ImportAborted

    path = write_layer(tmp_path / "f.geojson", [square(LON, LAT)], {"ref": ["X" * 150]}, driver="GeoJSON")
    with pytest.raises(ImportAborted):
        run("parcels", path)
    assert not TileImportInvalidation.objects.exists()
    assert not WmsImportInvalidation.objects.exists() and not ExtentGrowth.objects.exists()


@pytest.mark.parametrize(
    "entry", ["tiles-import-invalidations-resume", "wms-import-invalidations-resume", "ogc-extent-growths-resume"]
)
def test_beat_runs_the_leftovers_of_the_import_outboxes(entry: str, settings: Any) -> None:
    from config.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in app.tasks
    assert settings.CELERY_BEAT_SCHEDULE[entry]["schedule"] == settings.OUTBOX_LEFTOVERS_EVERY_SECONDS
