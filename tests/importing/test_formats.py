"""Each supported format imports parcels: GeoJSON, GeoPackage, Shapefile, GML, CSV (WKT, lon/lat), TopoJSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely

from gis_core.models import ImportRun, ImportStatus, Territory
from parcels.models import Overlay, Parcel
from tests.importing.conftest import run, square, write_layer

PARCELS = [square(-71.12, 42.37), square(-71.11, 42.37)]
FIELDS: dict[str, list[Any]] = {
    "ref": ["A-1", "A-2"],
    "titre": ["T1/C", "T2/C"],
    "contenance": [90.0, 91.0],
    "usage": ["home", "shop"],
}


@pytest.mark.parametrize(
    ("driver", "suffix"),
    [("GeoJSON", "geojson"), ("GPKG", "gpkg"), ("ESRI Shapefile", "shp"), ("GML", "gml")],
)
def test_vector_formats(commune: Territory, tmp_path: Path, driver: str, suffix: str) -> None:
    path = write_layer(tmp_path / f"parcels.{suffix}", PARCELS, FIELDS, driver=driver)
    summary = run("parcels", path)
    assert (summary.read, summary.inserted, summary.rejected) == (2, 2, 0), summary.lines()
    parcel = Parcel.objects.get(reference="A-1")
    assert parcel.commune == commune
    assert parcel.land_title == "T1/C"
    assert parcel.official_area_m2 == 90.0
    assert parcel.attributes["usage"] == "home"
    assert ImportRun.objects.get(pk=summary.run_id or 0).status == ImportStatus.SUCCEEDED


def test_csv_with_wkt_needs_srid(commune: Territory, tmp_path: Path) -> None:
    path = tmp_path / "parcels.csv"
    path.write_text('ref,wkt\nA-1,"' + PARCELS[0].wkt + '"\nA-2,"' + PARCELS[1].wkt + '"\n')
    with pytest.raises(Exception, match="does not declare its coordinate reference system"):
        run("parcels", path)
    summary = run("parcels", path, srid=4326)
    assert summary.inserted == 2
    assert Parcel.objects.filter(reference__in=["A-1", "A-2"]).count() == 2


def test_csv_with_lon_lat_as_buffered_overlays(commune: Territory, tmp_path: Path) -> None:
    path = tmp_path / "airports.csv"
    path.write_text("ref,name,lon,lat,buffer_m\nAP1,Heliport,-71.1,42.37,500\nAP2,No buffer,-71.1,42.38,0\n")
    summary = run("overlays", path, srid=4326, constants={"kind": "airport"})
    assert summary.inserted == 1
    assert summary.rejected == 1
    assert "needs buffer_m > 0" in summary.issues[0]["reason"]
    overlay = Overlay.objects.get(reference="AP1")
    assert (overlay.kind, overlay.buffer_m) == ("airport", 500)  # the constant kind and the row's buffer
    radius = (overlay.effective_geom.area / 3.1416) ** 0.5  # degrees; ~500 m at 42 deg N
    assert 0.004 < radius < 0.008


def test_topojson_is_wgs84_by_definition(db: None, tmp_path: Path) -> None:
    topology = {
        "type": "Topology",
        "objects": {
            "regions": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "properties": {"id": "XX-01", "name": "Région Test"}},
                ],
            }
        },
        "arcs": [[[-8.0, 33.0], [-7.0, 33.0], [-7.0, 34.0], [-8.0, 34.0], [-8.0, 33.0]]],
    }
    path = tmp_path / "regions.json"
    path.write_text(json.dumps(topology))
    summary = run("territories", path, options={"level": "region"})
    assert summary.inserted == 1
    region = Territory.objects.get(code="XX-01")
    assert region.name_fr == "Région Test"
    assert shapely.from_wkt(region.geom.wkt).bounds == pytest.approx((-8.0, 33.0, -7.0, 34.0))
