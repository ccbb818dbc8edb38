"""Footprint uploads opened by GDAL with their own driver only, off the network: a VRT under any name, a GeoJSON
or KML pointing elsewhere, a zip holding more than a shapefile, a GeoPackage with a virtual table are refused with
the reason; a GeoPackage and a zipped Shapefile are read."""

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from permits.footprint import FootprintFileError, FootprintFileRefused, footprint_from_file
from tests.permits.factories import DossierFactory
from tests.permits_api.conftest import token_client

LAMBERT_X, LAMBERT_Y = 300000.0, 330000.0
SECRET_GEOMETRY: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[-7.6, 33.5], [-7.599, 33.5], [-7.599, 33.501], [-7.6, 33.501], [-7.6, 33.5]]],
}
SECRET: dict[str, Any] = {  # a file of the server's that an upload must never read
    "type": "FeatureCollection",
    "features": [{"type": "Feature", "properties": {}, "geometry": SECRET_GEOMETRY}],
}


def lambert_square(width: float = 20.0) -> shapely.Polygon:
    return shapely.box(LAMBERT_X, LAMBERT_Y, LAMBERT_X + width, LAMBERT_Y + 15)


def in_casablanca(footprint: Any) -> bool:
    xmin, ymin, xmax, ymax = footprint.extent
    return -7.7 < xmin < xmax < -7.4 and 33.4 < ymin < ymax < 33.7


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.geojson"
    path.write_text(json.dumps(SECRET))
    return path


def vrt_of(source: str, *, layer: str = "secret", comment: str = "") -> str:
    return (
        f"<OGRVRTDataSource>{comment}<OGRVRTLayer name='x'><SrcDataSource>{source}</SrcDataSource>"
        f"<SrcLayer>{layer}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>\n"
    )


def refused(content: bytes, name: str) -> FootprintFileRefused:
    with pytest.raises(FootprintFileRefused) as caught:
        footprint_from_file(uploaded_file=SimpleUploadedFile(name, content))
    assert caught.value.status == 400 and caught.value.extra["code"] == "footprint_file_refused"
    return caught.value


@pytest.mark.parametrize("name", ["site.kml", "site.geojson", "site.dxf", "site.json"])
def test_a_vrt_under_any_name_is_refused(secret: Path, name: str) -> None:
    """A VRT naming a local file: GDAL's VRT driver would read that file as the footprint (it did, with a
    "<kml" in a comment to pass for KML)."""
    error = refused(vrt_of(str(secret), comment="<!-- <kml> -->").encode(), name)
    assert "VRT" in error.detail


def test_a_vrt_pointing_at_a_url_is_refused(closed_port_url: str) -> None:
    content = vrt_of(f"/vsicurl/{closed_port_url}/x.geojson", comment="<!-- <kml> -->").encode()
    assert "VRT" in refused(content, "site.kml").detail


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "http://127.0.0.1:9/crs.wkt", "type": "ogcwkt"}},
        {"type": "name", "properties": {"name": "/etc/passwd"}},
        {"type": "name", "properties": {"name": "http://127.0.0.1:9/crs"}},
        {"type": "name", "properties": {"name": "/vsicurl/http://127.0.0.1:9/crs"}},
    ],
)
def test_a_geojson_crs_naming_a_file_or_url_is_refused(crs: dict[str, Any]) -> None:
    document = {**SECRET, "crs": crs}
    error = refused(json.dumps(document).encode(), "site.geojson")
    assert "crs" in error.detail or "/vsi" in error.detail


def test_a_geometry_level_crs_is_checked_too() -> None:
    geometry = {**SECRET_GEOMETRY, "crs": {"type": "link", "properties": {"href": "file:///etc"}}}
    feature = {"type": "Feature", "properties": {}, "geometry": geometry}
    refused(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode(), "site.geojson")


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("<NetworkLink><Link><href>http://127.0.0.1:9/more.kml</href></Link></NetworkLink>", "NetworkLink"),
        ("", "document type"),
    ],
)
def test_a_kml_pointing_elsewhere_is_refused(extra: str, reason: str) -> None:
    doctype = '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>' if not extra else ""
    content = (
        f'<?xml version="1.0"?>{doctype}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{extra}'
        "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>-7.6,33.5 -7.599,33.5 -7.599,33.501 "
        "-7.6,33.5</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"
    )
    assert reason in refused(content.encode(), "site.kml").detail


def write_shapefile(directory: Path, polygons: list[shapely.Polygon]) -> list[Path]:
    path = directory / "footprint.shp"
    pyogrio.raw.write(
        path,
        geometry=np.array(shapely.to_wkb(polygons), dtype=object),
        field_data=[],
        fields=[],
        driver="ESRI Shapefile",
        geometry_type="Polygon",
        crs="EPSG:26191",
    )
    return sorted(directory.glob("footprint.*"))


def zipped(tmp_path: Path, members: dict[str, bytes]) -> bytes:
    path = tmp_path / "upload.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path.read_bytes()


def test_a_zipped_shapefile_is_read_with_its_prj(tmp_path: Path) -> None:
    parts = write_shapefile(tmp_path, [lambert_square()])
    content = zipped(tmp_path, {f"plans/{part.name}": part.read_bytes() for part in parts})
    footprint = footprint_from_file(uploaded_file=SimpleUploadedFile("footprint.zip", content))
    assert in_casablanca(footprint)
    assert footprint.transform(26191, clone=True).area == pytest.approx(300.0, rel=1e-3)


def test_a_zip_holding_anything_but_shapefile_parts_is_refused(tmp_path: Path, secret: Path) -> None:
    parts = write_shapefile(tmp_path, [lambert_square()])
    members = {part.name: part.read_bytes() for part in parts}
    error = refused(zipped(tmp_path, {**members, "extra.vrt": vrt_of(str(secret)).encode()}), "footprint.zip")
    assert "extra.vrt" in error.detail


def test_zip_member_paths_never_leave_the_temporary_directory(tmp_path: Path) -> None:
    upload = tmp_path / "upload"
    upload.mkdir()
    parts = write_shapefile(upload, [lambert_square()])
    content = zipped(upload, {f"../../{part.name}": part.read_bytes() for part in parts})
    assert in_casablanca(footprint_from_file(uploaded_file=SimpleUploadedFile("footprint.zip", content)))
    assert not list(tmp_path.parent.glob("footprint.*")) and not list(Path("/tmp").glob("footprint.sh*"))


def write_geopackage(path: Path) -> None:
    pyogrio.raw.write(
        path,
        geometry=np.array(shapely.to_wkb([lambert_square(), lambert_square(30)]), dtype=object),
        field_data=[],
        fields=[],
        driver="GPKG",
        geometry_type="Polygon",
        crs="EPSG:26191",
        layer="buildings",
    )


def test_a_geopackage_is_read(tmp_path: Path) -> None:
    path = tmp_path / "site.gpkg"
    write_geopackage(path)
    footprint = footprint_from_file(uploaded_file=SimpleUploadedFile("site.gpkg", path.read_bytes()))
    assert in_casablanca(footprint) and footprint.transform(26191, clone=True).area == pytest.approx(450, rel=1e-3)


def test_a_geopackage_with_a_virtual_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "site.gpkg"
    write_geopackage(path)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE VIRTUAL TABLE notes USING fts5(body)")
    assert "virtual table" in refused(path.read_bytes(), "site.gpkg").detail


def test_another_json_driver_never_reads_the_file() -> None:
    """A TopoJSON holds a polygon that GDAL's TopoJSON driver would read; only the GeoJSON driver may open it."""
    topology = {
        "type": "Topology",
        "objects": {"site": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]}},
        "arcs": [[[-7.6, 33.5], [-7.599, 33.5], [-7.599, 33.501], [-7.6, 33.501], [-7.6, 33.5]]],
    }
    with pytest.raises(FootprintFileError):
        footprint_from_file(uploaded_file=SimpleUploadedFile("site.json", json.dumps(topology).encode()))


@pytest.mark.django_db
def test_the_api_answers_a_refused_file_with_its_problem(secret: Path) -> None:
    dossier = DossierFactory.create()
    assert dossier.footprint is not None
    before = dossier.footprint.wkt
    content = vrt_of(str(secret), comment="<!-- <kml> -->").encode()
    response = token_client(dossier.applicant).post(
        f"/api/dossiers/{dossier.pk}/footprint/", {"file": SimpleUploadedFile("site.kml", content)}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["code"] == "footprint_file_refused"
    dossier.refresh_from_db()
    assert dossier.footprint is not None and dossier.footprint.wkt == before


@pytest.fixture
def closed_port_url(closed_port: int) -> str:
    return f"http://127.0.0.1:{closed_port}"
