"""The pipeline's guarantees: upsert, repair and rejection with reasons, CRS checks, one transaction, dry run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Geod, Transformer

from gis_core.importing import ImportAborted, ImportInputError
from gis_core.models import ImportRun, ImportStatus, Territory
from parcels.models import Parcel
from tests.factories import TerritoryFactory, box
from tests.importing.conftest import run, square, write_layer


def test_reimport_updates_in_place(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(
        tmp_path / "p.geojson", [square(-71.12, 42.37)], {"ref": ["A-1"], "titre": ["T1"]}, driver="GeoJSON"
    )
    assert run("parcels", path).inserted == 1
    path = write_layer(
        tmp_path / "p.geojson",
        [square(-71.12, 42.37, 0.0004), square(-71.11, 42.37)],
        {"ref": ["A-1", "A-2"], "titre": ["T1-bis", "T2"]},
        driver="GeoJSON",
    )
    summary = run("parcels", path)
    assert (summary.inserted, summary.updated) == (1, 1)
    assert Parcel.objects.count() == 2
    assert Parcel.objects.get(reference="A-1").land_title == "T1-bis"


def test_repairs_and_rejections_are_reported_with_the_feature(commune: Territory, tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(-71.12, 42.37), (-71.119, 42.371), (-71.119, 42.37), (-71.12, 42.371)])
    line = shapely.LineString([(-71.12, 42.37), (-71.11, 42.38)])
    path = write_layer(
        tmp_path / "p.gpkg",
        [bowtie, line, shapely.Polygon(), square(-71.11, 42.37)],
        {"ref": ["BOW", "LINE", "EMPTY", "OK"]},
        driver="GPKG",
    )
    summary = run("parcels", path)
    assert (summary.read, summary.inserted, summary.repaired, summary.rejected) == (4, 2, 1, 2)
    issues = {issue["reference"]: issue for issue in summary.issues}
    assert issues["BOW"]["action"] == "repaired" and "Self-intersection" in issues["BOW"]["reason"]
    assert issues["LINE"]["action"] == "rejected" and "not a polygon (LineString)" in issues["LINE"]["reason"]
    assert issues["EMPTY"]["reason"] == "empty geometry"
    assert issues["LINE"]["feature"] == 2  # GeoPackage fids start at 1
    assert Parcel.objects.get(reference="BOW").geom.valid
    assert ImportRun.objects.get(pk=summary.run_id or 0).issues == summary.issues


def test_duplicate_reference_keeps_the_last(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(
        tmp_path / "p.geojson",
        [square(-71.12, 42.37), square(-71.11, 42.37)],
        {"ref": ["DUP", "DUP"], "titre": ["first", "last"]},
        driver="GeoJSON",
    )
    summary = run("parcels", path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert Parcel.objects.get(reference="DUP").land_title == "last"
    assert "repeated in the file: feature 1 is kept" in summary.issues[0]["reason"]


def test_parcel_outside_every_commune_is_rejected(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(
        tmp_path / "p.geojson", [square(-71.12, 42.37), square(-7.6, 33.5)], {"ref": ["IN", "OUT"]}, driver="GeoJSON"
    )
    summary = run("parcels", path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert summary.issues[0]["reference"] == "OUT"
    assert "outside every commune" in summary.issues[0]["reason"]


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_is_refused(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.shp", [square(-71.12, 42.37)], {"ref": ["A"]}, driver="ESRI Shapefile", crs=None)
    with pytest.raises(ImportInputError, match=r"does not declare its coordinate reference system.*--srid"):
        run("parcels", path)
    assert Parcel.objects.count() == 0
    assert run("parcels", path, srid=4326).inserted == 1


def test_lambert_metres_declared_as_degrees_are_refused(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(
        tmp_path / "p.geojson", [shapely.box(300000, 330000, 300020, 330020)], {"ref": ["L"]}, driver="GeoJSON"
    )
    with pytest.raises(ImportInputError, match=r"feature 0 \(L\): coordinates .* cannot be in EPSG:4326"):
        run("parcels", path)
    assert Parcel.objects.count() == 0


def test_degrees_declared_as_utm_are_refused(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.gpkg", [square(-71.12, 42.37)], {"ref": ["U"]}, driver="GPKG", crs="EPSG:32619")
    with pytest.raises(ImportInputError, match="look like longitude/latitude degrees"):
        run("parcels", path)


def test_reprojection_from_lambert_nord_maroc(db: None, tmp_path: Path) -> None:
    to_lambert = Transformer.from_crs(4326, 26191, always_xy=True)
    x, y = to_lambert.transform(-7.62, 33.59)  # Casablanca
    path = write_layer(
        tmp_path / "p.gpkg", [shapely.box(x, y, x + 20, y + 30)], {"ref": ["CASA"]}, driver="GPKG", crs="EPSG:26191"
    )
    TerritoryFactory(code="TEST-CASA", geom=box(-7.7, 33.5, -7.5, 33.7))
    summary = run("parcels", path)
    assert summary.source_srid == 26191
    parcel = Parcel.objects.get(reference="CASA")
    corners = shapely.get_coordinates(shapely.from_wkt(parcel.geom.wkt))
    nearest = min(corners, key=lambda corner: abs(corner[0] + 7.62) + abs(corner[1] - 33.59))
    assert tuple(nearest) == pytest.approx((-7.62, 33.59), abs=1e-7)  # the Lambert corner (x, y), back in degrees
    assert parcel.area_m2 == pytest.approx(600, rel=0.01)  # Lambert scale factor ~0.9996 near Casablanca


def test_geodesic_area_within_a_thousandth_of_pyproj(commune: Territory, tmp_path: Path) -> None:
    polygon = shapely.Polygon([(-71.12, 42.37), (-71.118, 42.3702), (-71.1185, 42.3715), (-71.1202, 42.3712)])
    path = write_layer(tmp_path / "p.geojson", [polygon], {"ref": ["G"]}, driver="GeoJSON")
    run("parcels", path)
    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(polygon)[0])
    assert Parcel.objects.get(reference="G").area_m2 == pytest.approx(expected, rel=1e-3)


def test_failure_in_the_middle_leaves_the_database_untouched(commune: Territory, tmp_path: Path, settings: Any) -> None:
    settings.GIS_IMPORT_BATCH_SIZE = 2
    geometries = [square(-71.12 + i * 0.001, 42.37) for i in range(4)] + [shapely.box(300000, 330000, 300020, 330020)]
    path = write_layer(tmp_path / "p.geojson", geometries, {"ref": [f"R{i}" for i in range(5)]}, driver="GeoJSON")
    with pytest.raises(ImportInputError, match="feature 4"):
        run("parcels", path)
    assert Parcel.objects.count() == 0
    failed = ImportRun.objects.get(status=ImportStatus.FAILED)
    assert failed.read == 4 and "feature 4" in failed.error


def test_database_failure_is_rolled_back_and_recorded(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.geojson", [square(-71.12, 42.37)], {"ref": ["X" * 150]}, driver="GeoJSON")
    with pytest.raises(ImportAborted, match="rolled back"):
        run("parcels", path)  # reference longer than the column: the upsert fails after staging
    assert Parcel.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED


def test_dry_run_leaves_nothing(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.geojson", [square(-71.12, 42.37)], {"ref": ["D"]}, driver="GeoJSON")
    summary = run("parcels", path, dry_run=True)
    assert summary.inserted == 1
    assert Parcel.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.DRY_RUN


def test_command_errors_are_clear(commune: Territory, tmp_path: Path) -> None:
    path = write_layer(tmp_path / "p.gpkg", [square(-71.12, 42.37)], {"ref": ["C"]}, driver="GPKG", layer="first")
    write_layer(
        tmp_path / "p.gpkg", [square(-71.12, 42.37)], {"ref": ["C"]}, driver="GPKG", layer="second", append=True
    )
    with pytest.raises(CommandError, match="2 layers; choose one with --layer: first, second"):
        call_command("import_layer", "parcels", str(path))
    with pytest.raises(CommandError, match="no layer 'third'; its layers are: first, second"):
        call_command("import_layer", "parcels", str(path), "--layer", "third")
    with pytest.raises(CommandError, match="parcels has no field 'colour'"):
        call_command("import_layer", "parcels", str(path), "--layer", "first", "--map", "colour=ref")
    with pytest.raises(CommandError, match="the source has no field 'nope'; its fields are: ref"):
        call_command("import_layer", "parcels", str(path), "--layer", "first", "--map", "reference=nope")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_layer", "parcels", str(tmp_path / "missing.gpkg"))
    with pytest.raises(CommandError, match="--commune NOPE: no territory"):
        call_command("import_layer", "parcels", str(path), "--layer", "first", "--commune", "NOPE")
    call_command("import_layer", "parcels", str(path), "--layer", "first", "--commune", commune.code)
    assert Parcel.objects.get().reference == "C"
