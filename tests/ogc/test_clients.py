"""Real clients read /ogc/ from a live server: GDAL's OAPIF driver, OWSLib, and schemathesis on our OpenAPI."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from owslib.ogcapi.features import Features

from tests.ogc.conftest import GEOPORTAL_DB, PERSONAL, Geoportal

pytestmark = GEOPORTAL_DB

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def ogrinfo(*args: str) -> str:
    if not Path(OGRINFO).exists():
        pytest.skip("ogrinfo (gdal-bin) is not installed")
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF"}
    done = subprocess.run([OGRINFO, "-ro", *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_lists_the_collections_and_reads_the_features(live_server: Any, geoportal: Geoportal) -> None:
    source = f"OAPIF:{live_server.url}/ogc"
    listing = ogrinfo("-so", source)
    layers = set(re.findall(r"^\d+: (\w+) ", listing, re.M))
    assert layers == {"authorised_projects", "overlays", "parcels", "territories", "zones"}

    summary = ogrinfo("-so", source, "authorised_projects")
    assert "Feature Count: 3" in summary
    assert "decision_date: Date" in summary
    assert not {name for name in PERSONAL if re.search(rf"^{name}: ", summary, re.M)}

    features = ogrinfo("-al", "-q", source, "authorised_projects")
    assert features.count("OGRFeature(authorised_projects)") == 3
    references = set(re.findall(r"reference \(String\) = (\S+)", features))
    assert references == {d.reference for d in geoportal.published}
    assert "MULTIPOLYGON" in features

    # every page of parcels, through our next links (keyset cursor), with a page size of 10
    parcels = ogrinfo("-al", "-q", "-oo", "PAGE_SIZE=10", source, "parcels")
    assert parcels.count("OGRFeature(parcels)") == geoportal.parcels

    window = ogrinfo("-al", "-q", "-spat", "-71.1201", "42.3699", "-71.1190", "42.3704", source, "parcels")
    assert 1 <= window.count("OGRFeature(parcels)") < geoportal.parcels


def test_owslib_reads_collections_and_items_with_bbox(live_server: Any, geoportal: Geoportal) -> None:
    api = Features(f"{live_server.url}/ogc")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    ids = {c["id"] for c in api.collections()["collections"]}
    assert "authorised_projects" in ids and "parcels" in ids
    assert api.collection("authorised_projects")["title"] == "Projets autorisés"

    projects = api.collection_items("authorised_projects", limit=100)
    assert {f["properties"]["reference"] for f in projects["features"]} == {d.reference for d in geoportal.published}
    assert all(not set(f["properties"]) & PERSONAL for f in projects["features"])

    inside = api.collection_items("parcels", bbox=[-71.1201, 42.3699, -71.1190, 42.3704], limit=100)
    assert 1 <= len(inside["features"]) < geoportal.parcels
    outside = api.collection_items("parcels", bbox=[10, 10, 11, 11])
    assert outside["features"] == []

    queryables = api.collection_queryables("authorised_projects")
    assert "decision_date" in queryables["properties"]


def test_schemathesis_finds_our_items_endpoints_true_to_their_openapi(live_server: Any, geoportal: Geoportal) -> None:
    if not SCHEMATHESIS.exists():
        pytest.skip("schemathesis is not installed")
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/ogc/openapi?f=json",
        "--include-path-regex",
        "^/collections/(authorised_projects|parcels)/items",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        "--max-examples",
        "8",
        "--seed",
        "20261129",
        "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    tail = "\n".join(done.stdout.splitlines()[-40:])
    assert done.returncode == 0, tail
    assert re.search(r"\d+ passed", done.stdout), tail
