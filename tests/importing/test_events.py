"""A committed import announces itself once, after the commit, with what it wrote; a dry or failed run announces
nothing. The OGC API's known extent of the layer follows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction

from gis_core.events import event_subscribe, event_unsubscribe
from gis_core.importing import ImportAborted
from gis_core.importing.events import LayerImported
from gis_core.models import ImportRun, ImportStatus, Territory
from tests.importing.conftest import run, square, write_layer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def announced() -> Iterator[list[LayerImported]]:
    received: list[LayerImported] = []
    event_subscribe(name="layer.imported", handler=received.append)
    yield received
    event_unsubscribe(name="layer.imported", handler=received.append)


def test_a_committed_import_announces_its_target_run_counts_and_area(
    commune: Territory, tmp_path: Path, announced: list[LayerImported]
) -> None:
    path = write_layer(
        tmp_path / "p.geojson",
        [square(-71.12, 42.37), square(-71.10, 42.38)],
        {"ref": ["E-1", "E-2"]},
        driver="GeoJSON",
    )
    with transaction.atomic():
        summary = run("parcels", path)
        assert announced == [], "nothing is announced before the commit"
    assert announced == [
        LayerImported(
            target="parcels",
            run_id=summary.run_id or 0,
            inserted=2,
            updated=0,
            bbox=pytest.approx((-71.12, 42.37, -71.0997, 42.3803)),  # type: ignore[arg-type]
        )
    ]
    again = run("parcels", path)
    assert announced[-1].run_id == again.run_id and (announced[-1].inserted, announced[-1].updated) == (0, 2)


def test_a_dry_run_and_a_failed_import_announce_nothing(
    commune: Territory, tmp_path: Path, announced: list[LayerImported]
) -> None:
    path = write_layer(tmp_path / "p.geojson", [square(-71.12, 42.37)], {"ref": ["D"]}, driver="GeoJSON")
    run("parcels", path, dry_run=True)
    failing = write_layer(tmp_path / "f.geojson", [square(-71.12, 42.37)], {"ref": ["X" * 150]}, driver="GeoJSON")
    with pytest.raises(ImportAborted):
        run("parcels", failing)  # the upsert fails after staging: rolled back
    assert ImportRun.objects.filter(status=ImportStatus.FAILED).exists()
    assert announced == []


def test_an_import_grows_the_known_ogc_extent_of_its_layer(
    commune: Territory, tmp_path: Path, settings: Any, announced: list[LayerImported]
) -> None:
    settings.OGC_CONFIG_DIR.mkdir()  # the test's own (tests/importing/conftest.py)
    key = f"{connections['geoportal'].settings_dict['NAME']}:parcels"
    known = {key: {"bbox": [-71.13, 42.36, -71.125, 42.365], "begin": None, "end": None}}
    (settings.OGC_CONFIG_DIR / "extents.json").write_text(json.dumps(known))
    path = write_layer(tmp_path / "p.geojson", [square(-71.12, 42.37)], {"ref": ["G"]}, driver="GeoJSON")
    run("parcels", path)
    stored = json.loads((settings.OGC_CONFIG_DIR / "extents.json").read_text())[key]
    assert stored["bbox"] == pytest.approx([-71.13, 42.36, -71.1197, 42.3703])
