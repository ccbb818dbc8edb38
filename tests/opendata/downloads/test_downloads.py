"""The authorised projects' downloads, read by the clients people use: GDAL's `ogrinfo` (GeoPackage, FlatGeobuf),
pyarrow (GeoParquet and its `geo` metadata), Python's csv module, a JSON parser; conditional requests; an empty
dataset; no personal data in any byte.

The downloads read through the `geoportal` alias, which sees committed rows only: the tests are transactional.
"""

import csv
import io
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import shapely
from django.test import Client
from django.utils import timezone

from opendata.catalogue import datasets
from opendata.downloads import selectors
from opendata.indicators import periods_refresh
from permits.models import Dossier, DossierStatus
from permits.models.people import UserProfile
from tests.opendata.downloads.client import download_path
from tests.permits.factories import DossierFactory, UserFactory, commune_tree, decided_state_write

GEOPORTAL_DB = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])
URL = "/opendata/datasets/authorised-projects.{}"
FIELDS = [name for name, _ in selectors.FIELDS]
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8; header=present",
    "gpkg": "application/geopackage+sqlite3",
    "fgb": "application/vnd.flatgeobuf",
    "parquet": "application/vnd.apache.parquet",
}
# What the applicant typed about themselves and their project: none of it may reach a download.
PERSONAL = {
    "first_name": "Yasmina",
    "last_name": "Benkirane-Ouazzani",
    "email": "yasmina.benkirane@example.org",
    "phone": "+212661987654",
    "national_id": "BK445566",
    "title": "Villa familiale Benkirane",
}


@dataclass
class Published:
    authorised: list[Dossier]
    hidden: list[Dossier]


@pytest.fixture
def published() -> Published:
    commune = commune_tree("CASA-ANFA")
    applicant = UserFactory.create(
        username="ybenkirane",
        first_name=PERSONAL["first_name"],
        last_name=PERSONAL["last_name"],
        email=PERSONAL["email"],
    )
    UserProfile.objects.update_or_create(
        user=applicant, defaults={"phone": PERSONAL["phone"], "national_id": PERSONAL["national_id"]}
    )
    authorised = [
        DossierFactory.create(published=True, commune=commune, applicant=applicant, title=PERSONAL["title"])
        for _ in range(3)
    ]
    unfavourable = decided_state_write(
        DossierFactory.create(in_commission=True, commune=commune, applicant=applicant),
        DossierStatus.PUBLISHED,
        decision="unfavourable",
        motivation="The height exceeds the zone maximum.",
    )
    hidden = [DossierFactory.create(decided=True, commune=commune, applicant=applicant), unfavourable]
    return Published(authorised=authorised, hidden=hidden)


def download(extension: str, **headers: str) -> tuple[bytes, dict[str, str], int]:
    return download_path(URL.format(extension), **headers)


def ogrinfo(path: Path) -> str:
    """The layer's summary by Debian's GDAL, which must read it without a warning."""
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Warning" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    return result.stdout


def feature_count(summary: str) -> int:
    line = next(line for line in summary.splitlines() if line.startswith("Feature Count:"))
    return int(line.split(":")[1])


def references(dossiers: list[Dossier]) -> set[str | None]:
    return {dossier.reference for dossier in dossiers}


@GEOPORTAL_DB
def test_every_format_has_the_authorised_projects_only_and_no_personal_data(
    published: Published, tmp_path: Path
) -> None:
    bodies = {}
    for extension, media_type in MEDIA_TYPES.items():
        body, headers, status = download(extension)
        assert status == 200, (extension, body[:300])
        assert headers["Content-Type"] == media_type
        assert headers["Content-Disposition"] == f'attachment; filename="authorised-projects.{extension}"'
        assert 'rel="license"' in headers["Link"] and "etalab" in headers["Link"]
        assert headers["ETag"].startswith('W/"') and headers["Last-Modified"].endswith("GMT")
        for value in PERSONAL.values():
            assert value.encode() not in body, (extension, value)
        bodies[extension] = body
    expected = references(published.authorised)

    collection = json.loads(bodies["geojson"])
    assert collection["type"] == "FeatureCollection"
    assert {feature["properties"]["reference"] for feature in collection["features"]} == expected
    assert all(shapely.from_geojson(json.dumps(f["geometry"])).is_valid for f in collection["features"])
    assert set(collection["features"][0]["properties"]) == set(FIELDS)
    longitude, latitude = collection["features"][0]["geometry"]["coordinates"][0][0][0]
    assert longitude == pytest.approx(-71.1199, abs=0.001) and latitude == pytest.approx(42.3701, abs=0.001)

    rows = list(csv.DictReader(io.StringIO(bodies["csv"].decode("utf-8"))))
    assert {row["reference"] for row in rows} == expected
    assert list(rows[0]) == [*FIELDS, "wkt"]
    assert shapely.from_wkt(rows[0]["wkt"]).geom_type == "MultiPolygon"

    for extension in ("gpkg", "fgb"):
        path = tmp_path / f"projects.{extension}"
        path.write_bytes(bodies[extension])
        summary = ogrinfo(path)
        assert feature_count(summary) == 3, summary
        assert "Geometry: Multi Polygon" in summary and 'ID["EPSG",4326]' in summary
        for field in FIELDS:
            assert f"\n{field}: " in summary, (extension, field, summary)

    path = tmp_path / "projects.parquet"
    path.write_bytes(bodies["parquet"])
    table = pq.read_table(path)
    assert set(table.column("reference").to_pylist()) == expected
    assert table.schema == selectors.SCHEMA.with_metadata(table.schema.metadata)  # the types survive the round trip
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == ["MultiPolygon"]
    bounds = shapely.total_bounds(shapely.from_wkb(table.column("geometry").to_pylist()))
    assert column["bbox"] == pytest.approx(list(bounds))


@GEOPORTAL_DB
def test_an_empty_dataset_still_gives_valid_files(tmp_path: Path) -> None:
    for extension in MEDIA_TYPES:
        body, headers, status = download(extension)
        assert status == 200, (extension, body[:300])
        assert "Last-Modified" not in headers and headers["ETag"]
        path = tmp_path / f"empty.{extension}"
        path.write_bytes(body)
        if extension in ("gpkg", "fgb"):
            assert feature_count(ogrinfo(path)) == 0
    assert json.loads((tmp_path / "empty.geojson").read_bytes())["features"] == []
    assert list(csv.reader(io.StringIO((tmp_path / "empty.csv").read_text(encoding="utf-8")))) == [[*FIELDS, "wkt"]]
    table = pq.read_table(tmp_path / "empty.parquet")
    assert table.num_rows == 0 and table.schema.names == [*FIELDS, "geometry"]
    assert json.loads(table.schema.metadata[b"geo"])["columns"]["geometry"]["geometry_types"] == []


@GEOPORTAL_DB
def test_a_conditional_request_gets_304_until_a_new_publication(published: Published) -> None:
    _, first, _ = download("gpkg")
    body, headers, status = download("gpkg", if_none_match=first["ETag"])
    assert status == 304 and body == b"" and headers["ETag"] == first["ETag"]
    _, _, status = download("gpkg", if_modified_since=first["Last-Modified"])
    assert status == 304
    _, other, _ = download("geojson")
    assert other["ETag"] != first["ETag"]  # one representation, one tag

    DossierFactory.create(published=True, commune=published.authorised[0].commune)
    _, _, status = download("gpkg", if_none_match=first["ETag"])
    assert status == 200


@GEOPORTAL_DB
def test_batches_keep_every_project_once(published: Published) -> None:
    batches = list(selectors.projects_batches(batch_rows=2))
    assert [batch.num_rows for batch in batches] == [2, 1]
    assert {r for batch in batches for r in batch.column("reference").to_pylist()} == references(published.authorised)


@GEOPORTAL_DB
def test_an_unknown_format_is_a_problem_not_a_500() -> None:
    body, headers, status = download("shp")
    assert status == 404 and headers["Content-Type"] == "application/problem+json"
    assert "geojson" in json.loads(body)["detail"]


@GEOPORTAL_DB
def test_downloads_are_throttled_per_address(settings: Any) -> None:
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "datasets": "2/minute"}
    client = Client()
    statuses = [client.get(URL.format("csv")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    head = client.head(URL.format("csv"), REMOTE_ADDR="192.0.2.7")  # another address has its own count
    assert head.status_code == 200 and head["Content-Type"] == MEDIA_TYPES["csv"]


@GEOPORTAL_DB
def test_no_download_of_the_catalogue_holds_personal_data_or_names_a_file(published: Published, settings: Any) -> None:
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "datasets": "1000/minute"}  # every distribution at once
    assert sum(run.rows for run in periods_refresh(days=[timezone.localdate()])) > 0
    files = references(published.authorised + published.hidden)
    indicator_bytes = 0
    for dataset in datasets():
        for distribution in dataset.distributions:
            body, _, status = download_path(distribution.path())
            assert status == 200, (distribution.path(), body[:300])
            for value in PERSONAL.values():
                assert value.encode() not in body, (distribution.path(), value)
            if dataset.indicators:
                indicator_bytes += len(body)
                assert not any(reference and reference.encode() in body for reference in files), distribution.path()
                header = body.decode("utf-8-sig").split("\r\n" if distribution.extension == "csv" else "]", 1)[0]
                for field in ("applicant", "architect", "email", "phone", "national_id", "reference", "title"):
                    assert field not in header, (distribution.path(), field)
    assert indicator_bytes > 0
