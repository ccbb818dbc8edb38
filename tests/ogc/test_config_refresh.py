"""The served OGC configuration follows extents measured or grown by other processes (an import run by
`manage.py import_layer` is not the web server), and is not rebuilt when nothing changed."""

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from ogc_services import config, extents
from parcels.models import Parcel
from tests.ogc.conftest import GEOPORTAL_DB

BASE = "http://testserver/ogc"


@GEOPORTAL_DB
def test_config_is_kept_while_nothing_changes_and_rebuilt_when_another_process_stores_an_extent(
    parcels_only: int, settings: Any, tmp_path: Path
) -> None:
    settings.OGC_CONFIG_DIR = tmp_path / "ogc"
    settings.PYGEOAPI_CONFIG_PATH = tmp_path / "ogc" / "pygeoapi.yml"
    settings.PYGEOAPI_OPENAPI_PATH = tmp_path / "ogc" / "openapi.yml"
    first = config.api_for(BASE)
    built_at = first.built_at
    extents = settings.OGC_CONFIG_DIR / "extents.json"
    assert extents.exists()  # the build measured the layers and stored what it found

    again = config.api_for(BASE)
    assert again is first and again.built_at == built_at  # a second request does not rebuild

    stored = json.loads(extents.read_text())
    stored["another-database:parcels"] = {"bbox": [-8.0, 33.0, -7.0, 34.0], "begin": None, "end": None}
    extents.write_text(json.dumps(stored))  # what an import in another process does
    stat = extents.stat()
    os.utime(extents, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # even within one clock tick

    rebuilt = config.api_for(BASE)
    assert rebuilt.built_at > built_at
    assert config.api_for(BASE).built_at == rebuilt.built_at  # and then it is stable again


@GEOPORTAL_DB
def test_an_extent_too_slow_for_the_build_is_measured_in_the_background_then_served(
    parcels_only: int, settings: Any, tmp_path: Path
) -> None:
    settings.OGC_CONFIG_DIR = tmp_path / "ogc"
    settings.PYGEOAPI_CONFIG_PATH = tmp_path / "ogc" / "pygeoapi.yml"
    settings.PYGEOAPI_OPENAPI_PATH = tmp_path / "ogc" / "openapi.yml"
    settings.OGC_EXTENT_TIMEOUT_MS = 300
    generation = extents.extents_generation()
    holder = connections.create_connection("default")  # a long writer keeps the parcels busy during the build
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{Parcel._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
        first = config.api_for(BASE)
    finally:
        holder.rollback()
        holder.close()
    assert first.config["resources"]["parcels"]["extents"]["spatial"]["bbox"] == [-180.0, -90.0, 180.0, 90.0]

    deadline = time.monotonic() + 20
    while extents.extents_generation() == generation and time.monotonic() < deadline:
        time.sleep(0.05)
    served = config.api_for(BASE)
    assert served is not first
    bbox = served.config["resources"]["parcels"]["extents"]["spatial"]["bbox"]
    assert bbox == pytest.approx([-71.12, 42.37, -71.12 + 24 * 0.0004 + 0.0003, 42.3703], abs=1e-6)
