"""Vector tiles: decoded by a real MVT decoder and by GDAL, TileJSON, problems, the cache and its invalidation."""

import gzip
import io
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import mapbox_vector_tile
import pytest
from django.core.management import call_command
from django.test import Client

from parcels.models import OverlayKind
from permits.models import Dossier, DossierStatus
from tests.factories import OverlayFactory, ParcelFactory, TerritoryFactory, ZoneFactory, ZoningPlanFactory, box
from tests.permits.factories import DossierFactory, decided_state_write
from tiles.grid import Tile, tile_check, tiles_touching
from tiles.layers import LAYERS

pytestmark = pytest.mark.usefixtures("tiles_db")

# The parcel and footprint of the factories, near Harvard Square: the tiles that hold them.
LON, LAT = -71.11985, 42.37015
MVT = "application/vnd.mapbox-vector-tile"
PERSONAL_FIELDS = {"applicant", "applicant_id", "email", "phone", "name", "first_name", "last_name", "title", "cin"}


def tile_at(z: int, lon: float = LON, lat: float = LAT) -> Tile:
    return next(iter(tiles_touching((lon, lat, lon, lat), range(z, z + 1))))


def fetch(client: Client, layer: str, tile: Tile, headers: dict[str, str] | None = None) -> Any:
    return client.get(f"/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.pbf", headers=headers or {})


def decode(response: Any) -> dict[str, Any]:
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MVT
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return mapbox_vector_tile.decode(body)


def features(response: Any, layer: str) -> list[dict[str, Any]]:
    return decode(response).get(layer, {}).get("features", [])


@pytest.fixture
def cambridge() -> dict[str, Any]:
    commune = TerritoryFactory(code="TEST-CAMBRIDGE", name_fr="Cambridge")
    first = ParcelFactory(commune=commune, reference="160-43", land_title="T1234/C")
    second = ParcelFactory(commune=commune, reference="160-44", geom=box(-71.1197, 42.3700, -71.1194, 42.3703))
    zone = ZoneFactory(
        commune=commune,
        plan=ZoningPlanFactory(name="Cambridge Zoning"),
        code="C-1",
        geom=box(-71.13, 42.36, -71.11, 42.38),
    )
    overlay = OverlayFactory(
        commune=commune, reference="HD-1", kind=OverlayKind.HERITAGE, geom=box(-71.1201, 42.3699, -71.1195, 42.3710)
    )
    call_command("tiles_invalidate", "zones", "overlays", "territories", stdout=io.StringIO())
    return {"commune": commune, "first": first, "second": second, "zone": zone, "overlay": overlay}


def test_index_and_tilejson_for_every_layer(cambridge: dict[str, Any]) -> None:
    client = Client()
    listing = client.get("/tiles/").json()
    assert {layer["id"] for layer in listing["layers"]} == set(LAYERS)
    for layer in LAYERS.values():
        document = client.get(f"/tiles/{layer.name}.json").json()
        assert document["tilejson"] == "3.0.0"
        assert document["tiles"] == [f"http://testserver/tiles/{layer.name}/{{z}}/{{x}}/{{y}}.pbf"]
        assert 0 <= document["minzoom"] <= document["maxzoom"] <= 24
        west, south, east, north = document["bounds"]
        assert -180 <= west <= east <= 180 and -85.06 <= south <= north <= 85.06
        lon, lat, zoom = document["center"]
        assert west <= lon <= east and south <= lat <= north and document["minzoom"] <= zoom <= document["maxzoom"]
        (vector_layer,) = document["vector_layers"]
        assert vector_layer["id"] == layer.name
        assert set(vector_layer["fields"].values()) <= {"String", "Number", "Boolean"}
        assert "geom" not in vector_layer["fields"]
        assert document["x-urbaplan"]["feature_cap"] is None
    parcels = client.get("/tiles/parcels.json").json()
    assert parcels["vector_layers"][0]["fields"]["reference"] == "String"
    assert parcels["vector_layers"][0]["fields"]["official_area_m2"] == "Number"
    west, south, east, north = parcels["bounds"]
    assert west <= LON <= east and south <= LAT <= north


def test_parcel_tiles_carry_public_attributes_at_detail_zoom_and_summary_below(cambridge: dict[str, Any]) -> None:
    client = Client()
    detailed = {
        feature["properties"]["reference"]: feature
        for feature in features(fetch(client, "parcels", tile_at(16)), "parcels")
    }
    assert set(detailed) == {"160-43", "160-44"}
    first = detailed["160-43"]
    assert first["id"] == cambridge["first"].pk
    assert first["properties"]["land_title"] == "T1234/C"
    assert first["properties"]["commune_code"] == "TEST-CAMBRIDGE"
    assert first["geometry"]["type"] == "Polygon"
    summary = features(fetch(client, "parcels", tile_at(14)), "parcels")
    assert {feature["properties"]["reference"] for feature in summary} == {"160-43", "160-44"}
    assert all(set(feature["properties"]) == {"reference"} for feature in summary)
    assert fetch(client, "parcels", tile_at(13)).status_code == 204, "parcels start at z14"


def test_zones_and_overlays_come_from_their_pieces_as_whole_features(cambridge: dict[str, Any]) -> None:
    client = Client()
    for z in (10, 12, 14, 16):
        zones = features(fetch(client, "zones", tile_at(z)), "zones")
        assert [zone["properties"]["code"] for zone in zones] == ["C-1"], z
        assert zones[0]["id"] == cambridge["zone"].pk
        assert zones[0]["properties"]["plan"] == "Cambridge Zoning"
    overlays = features(fetch(client, "overlays", tile_at(16)), "overlays")
    assert [(overlay["properties"]["reference"], overlay["properties"]["kind"]) for overlay in overlays] == [
        ("HD-1", "heritage")
    ]


def test_a_zone_cut_into_many_pieces_is_one_feature_in_a_tile(cambridge: dict[str, Any]) -> None:
    """A zone of ~4,000 vertices is cut into dozens of pieces; the tile merges them back into one polygon."""
    from django.contrib.gis.geos import MultiPolygon, Point

    circle = Point(-71.1, 42.39, srid=4326).transform(3857, clone=True).buffer(3000, quadsegs=1000)
    circle.transform(4326)
    ZoneFactory(commune=cambridge["commune"], code="BIG", geom=MultiPolygon(circle, srid=4326))
    call_command("tiles_invalidate", "zones", stdout=io.StringIO())
    tile = tile_at(12, -71.1, 42.39)
    big = [zone for zone in features(fetch(Client(), "zones", tile), "zones") if zone["properties"]["code"] == "BIG"]
    assert len(big) == 1 and big[0]["geometry"]["type"] == "Polygon"


def test_gzip_only_for_clients_that_accept_it(cambridge: dict[str, Any]) -> None:
    client = Client()
    zipped = fetch(client, "parcels", tile_at(16), {"Accept-Encoding": "gzip, deflate"})
    plain = fetch(client, "parcels", tile_at(16))
    assert zipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]


def test_cache_miss_then_hit_and_etag(cambridge: dict[str, Any]) -> None:
    client = Client()
    first = fetch(client, "parcels", tile_at(15))
    second = fetch(client, "parcels", tile_at(15))
    assert (first["X-Tile-Cache"], second["X-Tile-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    revalidated = fetch(client, "parcels", tile_at(15), {"If-None-Match": second["ETag"]})
    assert revalidated.status_code == 304
    call_command("tiles_invalidate", "parcels", stdout=io.StringIO())
    assert fetch(client, "parcels", tile_at(15))["X-Tile-Cache"] == "miss", "an import forgets the layer"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/permits_dossier/16/0/0.pbf", 404),
        ("/tiles/auth_user.json", 404),
        ("/tiles/parcels;DROP/1/0/0.pbf", 404),
        ("/tiles/parcels/25/0/0.pbf", 400),
        ("/tiles/parcels/17/0/0.pbf", 400),
        ("/tiles/parcels/2/4/0.pbf", 400),
        ("/tiles/parcels/2/0/-1.pbf", 400),
        ("/tiles/parcels/-1/0/0.pbf", 400),
        ("/tiles/parcels/1/0.pbf", 404),
    ],
)
def test_bad_layer_or_tile_is_a_problem(path: str, status: int) -> None:
    response = Client().get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]


def publishable(commune: Any) -> Dossier:
    return DossierFactory.create(signed=True, commune=commune)


def test_publishing_a_decision_puts_the_project_on_the_map_within_a_second(cambridge: dict[str, Any]) -> None:
    dossier = DossierFactory.create(signed=True)
    client = Client()
    watched = [tile_at(z) for z in range(LAYERS["authorised_projects"].minzoom, 17)]
    for tile in watched:  # cached before the publication, without the project
        assert features(fetch(client, "authorised_projects", tile), "authorised_projects") == []
        assert fetch(client, "authorised_projects", tile)["X-Tile-Cache"] == "hit"

    decided_state_write(dossier, DossierStatus.PUBLISHED)  # as the last signature does: `dossier.publish`
    published_at = time.monotonic()
    for tile in watched:
        response = fetch(client, "authorised_projects", tile)
        projects = features(response, "authorised_projects")
        assert [project["properties"]["reference"] for project in projects] == [dossier.reference], tile
        assert projects[0]["id"] == dossier.pk
        assert projects[0]["properties"]["decision"] == "favourable"
        assert not PERSONAL_FIELDS & set(projects[0]["properties"])
        assert dossier.applicant.email.encode() not in response.content
    assert time.monotonic() - published_at < 1.0
    # A tile far away was not touched by the invalidation.
    assert fetch(client, "authorised_projects", tile_at(16, 2.35, 48.85))["X-Tile-Cache"] in {"hit", "miss"}


def test_a_rolled_back_publication_changes_nothing(cambridge: dict[str, Any]) -> None:
    from django.db import transaction

    dossier = DossierFactory.create(signed=True)
    client = Client()
    tile = tile_at(16)
    assert features(fetch(client, "authorised_projects", tile), "authorised_projects") == []
    with pytest.raises(RuntimeError), transaction.atomic():
        decided_state_write(dossier, DossierStatus.PUBLISHED)
        raise RuntimeError("rolled back")
    response = fetch(client, "authorised_projects", tile)
    assert response["X-Tile-Cache"] == "hit" and features(response, "authorised_projects") == []


def test_files_that_are_not_published_and_authorised_are_never_in_tiles(cambridge: dict[str, Any]) -> None:
    for status in ("submitted", "under_instruction", "in_commission", "decided", "signed"):
        DossierFactory.create(**{status: True})
    refused = DossierFactory.create(in_commission=True)
    decided_state_write(refused, DossierStatus.PUBLISHED, decision="unfavourable", motivation="too high")
    client = Client()
    for z in range(8, 17):
        assert features(fetch(client, "authorised_projects", tile_at(z)), "authorised_projects") == []


def test_small_footprints_stay_visible_as_points_at_low_zoom(cambridge: dict[str, Any]) -> None:
    DossierFactory.create(published=True)
    projects = features(fetch(Client(), "authorised_projects", tile_at(8)), "authorised_projects")
    assert len(projects) == 1 and projects[0]["geometry"]["type"] == "Point"


def test_the_reader_role_cannot_read_base_tables() -> None:
    import psycopg

    from tiles.db import reader_cursor

    with pytest.raises(psycopg.errors.InsufficientPrivilege), reader_cursor() as cursor:
        cursor.execute("SELECT count(*) FROM permits_dossier")


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is absent (apt gdal-bin)")
def test_gdal_reads_a_downloaded_tile(cambridge: dict[str, Any], tmp_path: Path) -> None:
    tile = tile_at(16)
    response = fetch(Client(), "parcels", tile)
    path = tmp_path / f"{tile.y}.pbf"
    path.write_bytes(response.content)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-oo", f"Z={tile.z}", "-oo", f"X={tile.x}", "-oo", f"Y={tile.y}", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Layer name: parcels" in result.stdout
    assert "Feature Count: 2" in result.stdout
    assert "reference (String) = 160-43" in result.stdout
    assert "POLYGON ((-7917" in result.stdout, "GDAL georeferences the tile back to Web Mercator metres"


def test_tile_check() -> None:
    assert tile_check(0, 0, 0) == Tile(0, 0, 0)
    with pytest.raises(ValueError):
        tile_check(3, 8, 0)
    assert list(tiles_touching((LON, LAT, LON, LAT), range(2))) == [Tile(0, 0, 0), Tile(1, 0, 0)]
    assert len(list(tiles_touching((LON, LAT, LON, LAT), range(16, 17), margin=0.5))) == 4


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
def test_tiles_read_through_the_geoportal_alias(cambridge: dict[str, Any], settings: Any) -> None:
    """The configured alias (the read-only role, a test mirror of default) serves the same tiles."""
    from django.db import connections

    settings.TILES_READER_ALIAS = "geoportal"
    response = fetch(Client(), "parcels", tile_at(16))
    assert {feature["properties"]["reference"] for feature in features(response, "parcels")} == {"160-43", "160-44"}
    assert connections["geoportal"].connection.info.user == "geoportal_reader"
