"""OGC API Features Part 2 (CRS): answers in each offered `crs`, transformed by PostGIS, EPSG:4326 in its lat/lon
axis order; `bbox-crs`; `Content-Crs`; unknown CRSs refused. Read by Django's client, GDAL's OAPIF driver (GDAL
as bundled with pyogrio, whose OAPIF driver has the `CRS` open option) and OWSLib."""

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import shapely
from django.db import connections
from django.test import Client
from owslib.ogcapi.features import Features

from ogc_services.crs import CRS84, EPSG_URI, offered
from tests.factories import ParcelFactory, box
from tests.ogc.conftest import GEOPORTAL_DB
from tests.permits.factories import commune_tree

pytestmark = GEOPORTAL_DB

WEB_MERCATOR = EPSG_URI.format(3857)
NORD_MAROC = EPSG_URI.format(26191)
LAT_LON = EPSG_URI.format(4326)
CASABLANCA = (-7.6200, 33.5900)  # parcels in the Lambert zone Nord Maroc, where 26191 is meant to be used
COUNT = 12
TOLERANCE = {True: 1e-6, False: 0.02}  # degrees (7 decimals), metres (2 decimals)


@pytest.fixture
def casablanca(ogc_fresh: None) -> Iterator[int]:
    commune = commune_tree("CASA-ANFA")
    west, south = CASABLANCA
    for i in range(COUNT):
        ParcelFactory.create(
            commune=commune, geom=box(west + i * 0.0004, south, west + i * 0.0004 + 0.0003, south + 0.0003)
        )
    yield COUNT


def postgis_coordinates(srid: int, *, flip: bool = False) -> dict[str, list[float]]:
    """Each parcel's coordinates by reference, from PostGIS's ST_Transform of the stored geometry."""
    geometry = f"ST_Transform(geom, {srid})"
    if flip:
        geometry = f"ST_FlipCoordinates({geometry})"
    with connections["default"].cursor() as cursor:
        cursor.execute(f"SELECT reference, ST_AsText({geometry}) FROM geoportal.parcels")
        return {reference: flat(shapely.from_wkt(text)) for reference, text in cursor.fetchall()}


def flat(geometry: Any) -> list[float]:
    return [float(v) for v in shapely.get_coordinates(geometry).ravel()]


def assert_close(got: list[float], expected: list[float], tolerance: float) -> None:
    assert len(got) == len(expected)
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) <= tolerance, (got[:4], expected[:4])


def items(client: Client, **params: Any) -> Any:
    return client.get("/ogc/collections/parcels/items", params, HTTP_ACCEPT="application/geo+json")


def test_collections_offer_their_crs_and_store_in_crs84(client: Client, casablanca: int) -> None:
    collection = client.get("/ogc/collections/parcels", HTTP_ACCEPT="application/json").json()
    assert collection["storageCrs"] == CRS84
    assert collection["crs"] == list(offered())
    assert {LAT_LON, WEB_MERCATOR, *(EPSG_URI.format(s) for s in range(26191, 26196))} < set(collection["crs"])


def test_items_and_item_in_each_offered_crs_match_postgis(client: Client, casablanca: int) -> None:
    default = items(client, limit=100)
    assert default["Content-Crs"] == f"<{CRS84}>"
    for uri, system in offered().items():
        expected = postgis_coordinates(system.srid, flip=system.lat_first)
        response = items(client, crs=uri, limit=100)
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Crs"] == f"<{uri}>"
        features = response.json()["features"]
        assert len(features) == casablanca
        geographic = system.srid == 4326
        for feature in features:
            got = flat(shapely.geometry.shape(feature["geometry"]))
            assert_close(got, expected[feature["properties"]["reference"]], TOLERANCE[geographic])
        one = client.get(f"/ogc/collections/parcels/items/{features[0]['id']}", {"crs": uri})
        assert one.status_code == 200 and one["Content-Crs"] == f"<{uri}>"
        assert one.json()["geometry"] == features[0]["geometry"]
    lon, lat = flat(shapely.geometry.shape(default.json()["features"][0]["geometry"]))[:2]
    lat_first = items(client, crs=LAT_LON, limit=1).json()["features"][0]["geometry"]
    assert flat(shapely.geometry.shape(lat_first))[:2] == [lat, lon], "EPSG:4326's URI is latitude first"


def test_unknown_crs_and_bad_bbox_crs_are_400(client: Client, casablanca: int) -> None:
    for params in (
        {"crs": EPSG_URI.format(2154)},
        {"crs": "EPSG:3857"},
        {"crs": "nonsense"},
        {"bbox": "0,0,1,1", "bbox-crs": EPSG_URI.format(2154)},
        {"bbox-crs": WEB_MERCATOR},
    ):
        response = items(client, **params)
        assert response.status_code == 400, (params, response.content[:300])
        assert response.json()["description"], params
    first = items(client, limit=1).json()["features"][0]["id"]
    refused = client.get(f"/ogc/collections/parcels/items/{first}", {"crs": EPSG_URI.format(2154)})
    assert refused.status_code == 400


def bbox_in(srid: int, bbox: tuple[float, float, float, float]) -> list[float]:
    """The CRS84 bbox's corners in another CRS, by PostGIS (the bbox a client of that CRS would draw)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), %s)::box2d AS e) b",
            [*bbox, srid],
        )
        row = cursor.fetchone()
    assert row is not None
    return [float(v) for v in row]


def selected(client: Client, bbox: list[float], bbox_crs: str | None = None) -> set[int]:
    params: dict[str, Any] = {"bbox": ",".join(str(v) for v in bbox), "limit": 100}
    if bbox_crs:
        params["bbox-crs"] = bbox_crs
    response = items(client, **params)
    assert response.status_code == 200, response.content[:300]
    return {f["id"] for f in response.json()["features"]}


def test_bbox_crs_selects_what_the_same_bbox_in_crs84_selects(client: Client, casablanca: int) -> None:
    west, south = CASABLANCA
    # from inside the 3rd parcel to inside the 7th: 5 parcels (the gaps between parcels are ~9 m wide)
    window = (west + 2 * 0.0004 + 0.0001, south + 0.0001, west + 6 * 0.0004 + 0.0001, south + 0.0002)
    expected = selected(client, list(window))
    assert len(expected) == 5
    assert selected(client, list(window), CRS84) == expected
    assert selected(client, [window[1], window[0], window[3], window[2]], LAT_LON) == expected
    for srid in (3857, 26191):
        assert selected(client, bbox_in(srid, window), EPSG_URI.format(srid)) == expected, srid
    assert selected(client, bbox_in(26192, (10, 10, 11, 11)), EPSG_URI.format(26192)) == set()


GDAL_READ = """
import json, sys
import pyogrio.raw, shapely
meta, _, geometries, fields = pyogrio.raw.read(sys.argv[1], layer="parcels", CRS=sys.argv[2])
references = fields[list(meta["fields"]).index("reference")]
coordinates = {r: shapely.get_coordinates(shapely.from_wkb(g)).ravel().tolist() for r, g in zip(references, geometries)}
print(json.dumps({"crs": meta["crs"], "coordinates": coordinates}))
"""


def test_gdal_reads_web_mercator_and_lambert_coordinates(live_server: Any, casablanca: int) -> None:
    """GDAL in a child process: its blocking HTTP calls would hold up the live server's thread in this one."""
    for srid in (3857, 26191):
        done = subprocess.run(
            [sys.executable, "-c", GDAL_READ, f"OAPIF:{live_server.url}/ogc", f"EPSG:{srid}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        read = json.loads(done.stdout)
        assert read["crs"] == f"EPSG:{srid}"
        expected = postgis_coordinates(srid)
        assert len(read["coordinates"]) == casablanca
        for reference, got in read["coordinates"].items():
            assert_close(got, expected[reference], TOLERANCE[False])


def test_owslib_reads_web_mercator_and_lambert_coordinates(live_server: Any, casablanca: int) -> None:
    api = Features(f"{live_server.url}/ogc")
    for srid in (3857, 26191):
        expected = postgis_coordinates(srid)
        features = api.collection_items("parcels", crs=EPSG_URI.format(srid), limit=100)["features"]
        assert len(features) == casablanca
        for feature in features:
            got = flat(shapely.geometry.shape(feature["geometry"]))
            assert_close(got, expected[feature["properties"]["reference"]], TOLERANCE[False])


def test_bbox_crs_and_crs_together(client: Client, casablanca: int) -> None:
    west, south = CASABLANCA
    window = bbox_in(26191, (west - 0.001, south - 0.001, west + 0.01, south + 0.001))
    response = items(client, bbox=",".join(map(str, window)), **{"bbox-crs": NORD_MAROC}, crs=NORD_MAROC, limit=100)
    assert response.status_code == 200 and response["Content-Crs"] == f"<{NORD_MAROC}>"
    assert len(response.json()["features"]) == casablanca
    for format_ in ("html", "jsonld"):
        other = client.get("/ogc/collections/parcels/items", {"crs": NORD_MAROC, "f": format_})
        assert other.status_code == 200 and other["Content-Crs"] == f"<{NORD_MAROC}>", format_
    x, y = window[:2]
    point = items(client, bbox=f"{x},{y},{x},{y}", **{"bbox-crs": NORD_MAROC})
    assert point.status_code == 200 and point.json()["features"] == []
