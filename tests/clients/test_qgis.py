"""QGIS 3.22, the desktop GIS planners use, headless: layers from our OGC API Features, WMS, WMTS and vector tiles
load in it, have our features, and draw them where they are. `qgis_probe.py` runs in Debian's Python (where
QGIS's bindings live) against the live server and reports what QGIS saw; a layer that does not load fails the
test with QGIS's own error and log."""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.geos import Point

from ogc_services.wms.configuration import configuration_write
from parcels.models import Parcel
from tests.ogc.conftest import GEOPORTAL_DB, PERSONAL, Geoportal
from tiles.services import tiles_invalidate_all

pytestmark = GEOPORTAL_DB

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("qgis_probe.py")
# The geoportal fixture (lon/lat): 25 parcels in a row from -71.1200 to -71.1101 at 42.3700-42.3703, the
# authorised projects' footprints at the first one, a zone over everything.
AREA = [-71.1210, 42.3690, -71.1090, 42.3715]
EAST_PARCEL = [-71.11045, 42.36995, -71.11005, 42.37035]  # the last parcel and half the gap around it
REGIONS = {
    "east_parcel": EAST_PARCEL,
    "projects": [-71.11995, 42.37005, -71.11975, 42.37025],
    "empty": [-71.1180, 42.3706, -71.1100, 42.3713],  # north of the parcels, east of the overlay
}


def qgis_installed() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


@pytest.fixture
def findings(live_server: Any, geoportal: Geoportal, wms_directory: Path, tmp_path: Path) -> dict[str, Any]:
    if not qgis_installed():
        pytest.skip("QGIS's Python bindings are absent (apt qgis python3-qgis qgis-providers)")
    configuration_write()
    tiles_invalidate_all()
    west, south, east, north = EAST_PARCEL
    parcel = Parcel.objects.get(geom__intersects=Point((west + east) / 2, (south + north) / 2, srid=4326))
    config = {
        "ogc": f"{live_server.url}/ogc",  # the landing page's self link, as a planner would paste it
        "collections": ["authorised_projects", "parcels", "zones"],
        "wms": f"{live_server.url}/ows/service",
        "wmts": f"{live_server.url}/ows/wmts/1.0.0/WMTSCapabilities.xml",
        "wmts_matrix_set": "webmercator",
        "raster_layers": ["parcels", "authorised_projects"],
        "tiles": f"{live_server.url}/tiles/parcels/{{z}}/{{x}}/{{y}}.pbf",
        "vector_layer": "parcels",
        "vector_zooms": [14, 16],
        "filter": f"\"reference\" = '{parcel.reference}'",
        "area": AREA,
        "regions": REGIONS,
    }
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_RUNTIME_DIR": str(home), "QT_QPA_PLATFORM": "offscreen"}
    command = [SYSTEM_PYTHON, "-X", "faulthandler", str(PROBE), json.dumps(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


def loaded(findings: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    layer = findings[kind] if name == "" else findings[kind][name]
    assert layer["valid"], f"QGIS could not load {kind} {name}: {layer['error']}; QGIS log: {findings['log']}"
    return dict(layer)


def drawn(layer: dict[str, Any], region: str) -> int:
    assert layer["render"]["errors"] == []
    return int(layer["render"]["regions"][region]["drawn"])


def test_qgis_reads_our_features_maps_and_tiles(findings: dict[str, Any], geoportal: Geoportal) -> None:
    assert findings["qgis"].startswith("3.22")

    projects = loaded(findings, "oapif", "authorised_projects")
    assert projects["crs"] == "EPSG:4326" and projects["geometry"] == "MultiPolygon"
    assert "reference" in projects["fields"] and "decision_date" in projects["fields"]
    assert not set(projects["fields"]) & PERSONAL
    assert {f["reference"] for f in projects["features"]} == {d.reference for d in geoportal.published}
    assert all(f["decision_date"] for f in projects["features"])
    assert projects["inside_area"] == 3

    parcels = loaded(findings, "oapif", "parcels")
    assert len(parcels["features"]) == parcels["with_geometry"] == parcels["inside_area"] == geoportal.parcels
    assert not set(parcels["fields"]) & PERSONAL
    assert 1 <= parcels["in_western_half"] < geoportal.parcels, "QGIS's bbox request is answered with fewer parcels"
    zones = loaded(findings, "oapif", "zones")
    assert len(zones["features"]) == zones["touching_area"] == 1

    for kind in ("wms", "wmts"):
        parcels = loaded(findings, kind, "parcels")
        assert parcels["crs"] == "EPSG:3857"
        assert drawn(parcels, "east_parcel") > 0 and drawn(parcels, "empty") == 0, (kind, parcels["render"])
        projects = loaded(findings, kind, "authorised_projects")
        assert drawn(projects, "projects") > 0 and drawn(projects, "east_parcel") == 0, (kind, projects["render"])

    tiles = loaded(findings, "vector_tiles", "")
    assert tiles["crs"] == "EPSG:3857" and tiles["zooms"] == [14, 16]
    render = tiles["render"]
    assert render["errors"] == []
    # Drawn only where the tiles' `parcels` layer has a feature with the east parcel's reference, and there.
    assert render["marker"] > 0 and render["marker"] == render["drawn"], (render, findings["log"])
    assert render["regions"]["east_parcel"]["marker"] == render["marker"], (render, findings["log"])
