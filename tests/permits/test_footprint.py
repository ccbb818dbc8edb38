"""Footprints read from real GeoJSON, KML and DXF files (written by hand or by GDAL into tmp_path)."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from gis_core.geometry import CoordinatesOutsideCrs, InvalidGeometry
from gis_core.problems import as_problem
from permits import services
from permits.footprint import (
    FootprintFileTooLarge,
    FootprintFormatUnsupported,
    FootprintNoPolygon,
    FootprintSridConflict,
    FootprintSridRequired,
    footprint_from_file,
)
from tests.documents.files import pdf_bytes
from tests.permits.factories import ADDRESS, FOOTPRINT, ProcedureFactory, UserFactory

# A 20 m x 15 m building in Casablanca, in Lambert Nord Maroc (EPSG:26191) metres.
LAMBERT_X, LAMBERT_Y = 300000.0, 330000.0
CASABLANCA_BOX = (-7.7, 33.4, -7.4, 33.7)


def ring(x: float, y: float, width: float, height: float) -> list[tuple[float, float]]:
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]


def dxf_lwpolyline(points: list[tuple[float, float]], *, closed: bool = True) -> str:
    text = f"  0\nLWPOLYLINE\n  8\nFOOTPRINT\n 90\n{len(points)}\n 70\n{1 if closed else 0}\n"
    return text + "".join(f" 10\n{x}\n 20\n{y}\n" for x, y in points)


def dxf_file(*entities: str) -> str:
    """A minimal DXF (an ENTITIES section only), as many CAD exports still write."""
    return "  0\nSECTION\n  2\nENTITIES\n" + "".join(entities) + "  0\nENDSEC\n  0\nEOF\n"


def kml_file(coordinates: list[tuple[float, float]]) -> str:
    text = " ".join(f"{x},{y}" for x, y in [*coordinates, coordinates[0]])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        "<Placemark><name>House</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{text}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        "<Placemark><name>Gate</name><Point><coordinates>-7.6,33.5</coordinates></Point></Placemark>"
        "</Document></kml>\n"
    )


def in_casablanca(geometry: Any) -> bool:
    west, south, east, north = CASABLANCA_BOX
    xmin, ymin, xmax, ymax = geometry.extent
    return west < xmin < xmax < east and south < ymin < ymax < north


def test_dxf_closed_polyline_needs_an_srid_then_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "plan.dxf"
    path.write_text(
        dxf_file(
            dxf_lwpolyline(ring(LAMBERT_X, LAMBERT_Y, 20, 15)),
            "  0\nLINE\n  8\nAXES\n 10\n0\n 20\n0\n 11\n5\n 21\n5\n",  # ignored
        )
    )
    with pytest.raises(FootprintSridRequired) as missing:
        footprint_from_file(path=path)
    assert as_problem(missing.value) is not None
    assert missing.value.status == 400 and missing.value.extra["code"] == "footprint_srid_required"

    footprint = footprint_from_file(path=path, srid=26191)
    assert footprint.geom_type == "MultiPolygon" and footprint.srid == 4326 and len(footprint) == 1
    assert in_casablanca(footprint)
    metric = footprint.transform(26191, clone=True)
    assert metric.area == pytest.approx(300.0, rel=1e-3)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")  # DXF has no CRS: that is the point
def test_dxf_written_by_gdal(tmp_path: Path) -> None:
    """GDAL's own DXF writer (closed polylines / hatches) read back; two touching outlines merge into one."""
    path = tmp_path / "gdal.dxf"
    polygons = [
        shapely.Polygon(ring(LAMBERT_X, LAMBERT_Y, 20, 15)),
        shapely.Polygon(ring(LAMBERT_X + 20, LAMBERT_Y, 10, 15)),
    ]
    pyogrio.raw.write(
        path,
        geometry=np.array(shapely.to_wkb(polygons), dtype=object),
        field_data=[],
        fields=[],
        driver="DXF",
        geometry_type="Polygon",
    )
    footprint = footprint_from_file(path=path, srid=26191)
    assert len(footprint) == 1
    assert footprint.transform(26191, clone=True).area == pytest.approx(450.0, rel=1e-3)


def test_dxf_with_open_lines_only_has_no_footprint(tmp_path: Path) -> None:
    path = tmp_path / "lines.dxf"
    path.write_text(dxf_file(dxf_lwpolyline(ring(LAMBERT_X, LAMBERT_Y, 20, 15), closed=False)))
    with pytest.raises(FootprintNoPolygon):
        footprint_from_file(path=path, srid=26191)


def test_kml_polygon_from_an_upload(tmp_path: Path) -> None:
    upload = SimpleUploadedFile("house.kml", kml_file(ring(-7.62, 33.59, 0.0002, 0.00015)).encode())
    footprint = footprint_from_file(uploaded_file=upload)
    assert footprint.srid == 4326 and len(footprint) == 1 and in_casablanca(footprint)
    with pytest.raises(FootprintSridConflict):  # KML is WGS84 by definition
        footprint_from_file(uploaded_file=upload, srid=26191)


def test_geojson_wgs84_and_legacy_crs(tmp_path: Path) -> None:
    plain = tmp_path / "house.geojson"
    plain.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(FOOTPRINT_SHAPE)}
                ],
            }
        )
    )
    assert footprint_from_file(path=plain).equals_exact(FOOTPRINT, 1e-9)

    lambert = tmp_path / "lambert.json"
    lambert.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::26191"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(shapely.Polygon(ring(LAMBERT_X, LAMBERT_Y, 20, 15))),
                    }
                ],
            }
        )
    )
    assert in_casablanca(footprint_from_file(path=lambert))
    with pytest.raises(FootprintSridConflict):
        footprint_from_file(path=lambert, srid=26192)


FOOTPRINT_SHAPE = shapely.get_geometry(shapely.from_wkt(FOOTPRINT.wkt), 0)  # its one polygon


def test_self_intersecting_outline_is_refused_not_repaired(tmp_path: Path) -> None:
    path = tmp_path / "bowtie.dxf"
    x, y = LAMBERT_X, LAMBERT_Y
    path.write_text(dxf_file(dxf_lwpolyline([(x, y), (x + 20, y + 15), (x + 20, y), (x, y + 15)])))
    with pytest.raises(InvalidGeometry, match="not valid"):
        footprint_from_file(path=path, srid=26191)


def test_degrees_declared_as_lambert_metres_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "degrees.dxf"
    path.write_text(dxf_file(dxf_lwpolyline(ring(-7.62, 33.59, 0.0002, 0.00015))))
    with pytest.raises(CoordinatesOutsideCrs):
        footprint_from_file(path=path, srid=26191)


def test_other_formats_and_large_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FootprintFormatUnsupported):
        footprint_from_file(uploaded_file=SimpleUploadedFile("plan.dxf", pdf_bytes()))
    with pytest.raises(FootprintFileTooLarge):
        footprint_from_file(uploaded_file=SimpleUploadedFile("big.geojson", b"{" + b" " * 2048), max_bytes=1024)


@pytest.mark.django_db
def test_uploaded_footprint_files_a_draft(commune: Any) -> None:
    applicant = UserFactory.create()
    coordinates = list(FOOTPRINT_SHAPE.exterior.coords)[:-1]
    footprint = footprint_from_file(uploaded_file=SimpleUploadedFile("site.kml", kml_file(coordinates).encode()))
    dossier = services.dossier_create(
        actor=applicant, address=ADDRESS, procedure=ProcedureFactory.create(), commune=commune, footprint=footprint
    )
    assert dossier.footprint is not None and dossier.footprint.equals_exact(FOOTPRINT, 1e-9)
