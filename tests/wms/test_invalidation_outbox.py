"""A publication's WMTS cache invalidation is never lost: one that fails stays pending until it succeeds
(`ogc_services.wms.models.WmsInvalidation`, an outbox: `gis_core.outbox`).

The whole stack is real (MapProxy, MapServer's CGI binary, PostGIS, the file cache on disk). The failing file cache
is a directory where a cached tile was: removing it fails as a read-only or broken volume would (an `OSError`)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

from gis_core.outbox import OutboxStatus
from ogc_services.wms.models import WmsInvalidation
from ogc_services.wms.tasks import wms_invalidation_run_task, wms_invalidations_resume
from permits.models import Dossier, DossierStatus
from tests.conftest import tasks_eager
from tests.permits.factories import DossierFactory, decided_state_write
from tests.wms.conftest import Geoportal, image_drawn_pixels
from tests.wms.test_wmts import ZOOM, rest_tile

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
KEPT = "kept"  # the tile's bytes, inside the directory that took its place


@pytest.fixture
def tasks_here() -> Iterator[None]:
    """A retry the first attempt enqueues runs in this process (and fails again), never on a broker."""
    with tasks_eager(propagate=False):
        yield


def cached_tiles(geoportal: Geoportal, layer: str, zoom: int = ZOOM) -> list[Path]:
    return sorted(Path(geoportal.directory, "cache", f"{layer}_cache_EPSG3857", f"{zoom:02d}").rglob("*.png"))


def break_removal(tiles: list[Path]) -> None:
    for tile in tiles:
        data = tile.read_bytes()
        tile.unlink()
        tile.mkdir()
        (tile / KEPT).write_bytes(data)


def repair(tiles: list[Path]) -> None:
    for tile in tiles:
        data = (tile / KEPT).read_bytes()
        shutil.rmtree(tile)
        tile.write_bytes(data)


def publish(dossier: Dossier) -> None:
    """Published as the last signature of its decision would (test data: `decided_state_write`), in one transaction."""
    with transaction.atomic():
        decided_state_write(dossier, DossierStatus.PUBLISHED)


def test_a_failed_invalidation_stays_pending_and_is_done_once_the_cache_takes_it(
    geoportal: Geoportal, tasks_here: None
) -> None:
    dossier = DossierFactory.create(signed=True)
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) == 0  # cached without the project
    tiles = cached_tiles(geoportal, "authorised_projects")
    assert len(tiles) == 16  # one 4x4 metatile
    break_removal(tiles)

    publish(dossier)  # the publication itself succeeds
    invalidation = WmsInvalidation.objects.get(dossier_id=dossier.pk)
    assert invalidation.status == OutboxStatus.PENDING and invalidation.attempts >= 1
    assert "IsADirectoryError" in invalidation.last_error

    repair(tiles)  # the volume is back, with the stale tiles on it
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) == 0, "the stale tile is served"
    assert wms_invalidation_run_task.apply(args=[invalidation.pk]).get() == OutboxStatus.DONE
    invalidation.refresh_from_db()
    assert invalidation.status == OutboxStatus.DONE and invalidation.done_at is not None
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) > 0
    assert wms_invalidations_resume() == 0  # nothing left over


def test_a_publication_removes_its_tiles_at_once_with_one_row(geoportal: Geoportal) -> None:
    dossier = DossierFactory.create(signed=True)
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) == 0
    publish(dossier)
    assert image_drawn_pixels(rest_tile(geoportal, "authorised_projects")) > 0
    invalidation = WmsInvalidation.objects.get()
    assert (invalidation.dossier_id, invalidation.status, invalidation.attempts) == (dossier.pk, "done", 1)
