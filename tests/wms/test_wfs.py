"""One OWS address (issue 14): `/ows` (with or without the slash) answers WMS, WMTS and WFS by their `SERVICE`
parameter, as GeoServer's `/ows` does; WFS 2.0 and 1.1 come from MapServer over the same geoportal views through
the read-only role. Tested with OWSLib, GDAL's `WFS:` and `WMS:` drivers and plain HTTP at the documented address;
the older `/ows/service` keeps working (tests/wms/test_wms.py)."""

import json
import shutil
import subprocess
from typing import Any

import pytest
import requests
from owslib.wfs import WebFeatureService
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService

from tests.wms.conftest import AREA, Geoportal

pytestmark = pytest.mark.django_db(transaction=True)


def ows(geoportal: Geoportal) -> str:
    """The documented address: `/ows`, no slash (what the README tells a QGIS user to paste)."""
    return geoportal.url.rstrip("/")


@pytest.mark.parametrize("version", ["2.0.0", "1.1.0"])
def test_owslib_reads_the_wfs_at_the_ows_address(geoportal: Geoportal, version: str) -> None:
    wfs = WebFeatureService(ows(geoportal), version=version)
    assert {"geoportal:parcels", "geoportal:zones"} <= set(wfs.contents) or {"parcels", "zones"} <= set(wfs.contents)
    name = next(name for name in wfs.contents if name.endswith("parcels"))
    crs = {str(code).upper() for code in wfs.contents[name].crsOptions}
    assert any("3857" in code for code in crs) and any("26191" in code for code in crs), crs
    features = wfs.getfeature(typename=[name], bbox=(*AREA, "urn:ogc:def:crs:EPSG::4326"), outputFormat="geojson")
    collection = json.loads(features.read())
    assert collection["features"], collection
    references = {feature["properties"].get("reference") for feature in collection["features"]}
    assert geoportal.parcel_reference in references


def first_x(coordinates: Any) -> float:
    """The first coordinate of a (Multi)Polygon's nested lists."""
    while isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    return float(coordinates[0])


def test_wfs_pages_reprojects_and_names_no_person(geoportal: Geoportal) -> None:
    base = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "parcels"}
    everything = requests.get(ows(geoportal), params={**base, "OUTPUTFORMAT": "geojson"}, timeout=60).json()
    total = len(everything["features"])
    assert -72 < first_x(everything["features"][0]["geometry"]["coordinates"]) < -70  # GeoJSON: longitude first
    assert total >= 3  # more than one page of 2
    pages = [
        requests.get(
            ows(geoportal),
            params={**base, "OUTPUTFORMAT": "geojson", "COUNT": "2", "STARTINDEX": str(start)},
            timeout=60,
        ).json()["features"]
        for start in range(0, total, 2)
    ]
    assert all(len(page) <= 2 for page in pages)
    assert sorted(f["properties"]["id"] for page in pages for f in page) == sorted(
        f["properties"]["id"] for f in everything["features"]
    )
    mercator = requests.get(
        ows(geoportal), params={**base, "OUTPUTFORMAT": "geojson", "SRSNAME": "EPSG:3857", "COUNT": "1"}, timeout=60
    ).json()
    assert abs(first_x(mercator["features"][0]["geometry"]["coordinates"])) > 180  # metres, not degrees
    gml = requests.get(ows(geoportal), params={**base, "COUNT": "1"}, timeout=60)
    assert gml.status_code == 200 and b"http://www.opengis.net/gml/3.2" in gml.content
    for feature in everything["features"]:
        assert not {"owner", "applicant", "email", "phone"} & set(feature["properties"])


def test_gdal_opens_wfs_and_wms_at_the_ows_address(geoportal: Geoportal) -> None:
    if not shutil.which("ogrinfo"):
        pytest.skip("gdal-bin is not installed")
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"WFS:{ows(geoportal)}"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "parcels" in listing and "zones" in listing, listing
    summary = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", f"WFS:{ows(geoportal)}", "parcels"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Feature Count:" in summary and "reference" in summary, summary
    wms = subprocess.run(
        ["gdalinfo", f"WMS:{ows(geoportal)}"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "SUBDATASET_1_NAME" in wms, wms


def test_wms_and_wmts_answer_at_the_same_address(geoportal: Geoportal) -> None:
    for address in (ows(geoportal), ows(geoportal) + "/"):
        wms = WebMapService(address, version="1.3.0")
        assert "parcels" in wms.contents
        wmts = WebMapTileService(address + ("?" if "?" not in address else "") + "SERVICE=WMTS&REQUEST=GetCapabilities")
        assert "parcels" in wmts.contents
    welcome = requests.get(ows(geoportal) + "/", timeout=30)
    assert welcome.status_code == 200  # without SERVICE: MapProxy's own page, as before


def test_a_client_cannot_choose_the_mapfile(geoportal: Geoportal, tmp_path: Any) -> None:
    answer = requests.get(
        ows(geoportal),
        params={"SERVICE": "WFS", "REQUEST": "GetCapabilities", "map": str(tmp_path / "other.map")},
        timeout=30,
    )
    assert answer.status_code == 200 and b"parcels" in answer.content
    assert str(tmp_path).encode() not in answer.content and b".map" not in answer.content
