"""Fixtures of the import tests: a commune around part of Cambridge, helpers that write small sources, and Celery
tasks run in process (what a committed import enqueues: the tiles' pieces update, see `tiles.subscribers`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyogrio.raw import write

from gis_core.importing import ImportRequest, ImportSummary, import_layer
from gis_core.models import Territory
from parcels.importers import TARGETS
from tests.conftest import tasks_eager
from tests.factories import TerritoryFactory, box

COMMUNE_BOX = (-71.2, 42.3, -71.0, 42.45)


def write_layer(
    path: Path,
    geometries: Sequence[shapely.Geometry | None],
    fields: Mapping[str, Sequence[Any]],
    *,
    driver: str,
    crs: str | None = "EPSG:4326",
    **options: Any,
) -> Path:
    """Write a small vector file with pyogrio (GeoJSON, GPKG, ESRI Shapefile, GML...)."""
    wkb = np.array([None if g is None else shapely.to_wkb(g) for g in geometries], dtype=object)
    write(
        str(path),
        wkb,
        field_data=[np.asarray(values, dtype=object) for values in fields.values()],
        fields=list(fields),
        crs=crs,
        driver=driver,
        geometry_type="Unknown" if driver != "ESRI Shapefile" else "Polygon",
        **options,
    )
    return path


def run(target: str, path: Path, **kwargs: Any) -> ImportSummary:
    return import_layer(ImportRequest(target=target, path=path, progress=False, **kwargs), TARGETS)


def square(west: float, south: float, size: float = 0.0003) -> shapely.Polygon:
    return shapely.box(west, south, west + size, south + size)


@pytest.fixture
def commune(db: None) -> Territory:
    TerritoryFactory(code="TEST-CAMBRIDGE", geom=box(*COMMUNE_BOX))
    return Territory.objects.get(code="TEST-CAMBRIDGE")


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Tasks enqueued on commit run here, against the test database, never on the broker; errors propagate."""
    with tasks_eager(propagate=True):
        yield


@pytest.fixture(autouse=True)
def faces_of_the_test(tasks_in_process: None, settings: Any, tmp_path: Path) -> None:
    """What a committed import reaches stays the test's: no task goes to the broker (a development worker would run
    it on its own database) and the WMS and OGC files are the test's own, not those under var/."""
    settings.WMS_DIR = tmp_path / "wms"
    settings.WMS_CACHE_DIR = tmp_path / "wms" / "cache"
    settings.WMS_RASTER_DIR = tmp_path / "wms" / "rasters"
    settings.OGC_CONFIG_DIR = tmp_path / "ogc"
