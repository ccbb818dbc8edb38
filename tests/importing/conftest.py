"""Fixtures of the import tests: a commune around part of Cambridge, and helpers that write small sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyogrio.raw import write

from gis_core.importing import ImportRequest, ImportSummary, import_layer
from gis_core.models import Territory
from parcels.importers import TARGETS
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
