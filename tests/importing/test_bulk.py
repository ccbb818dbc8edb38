"""The fast paths give the results of the plain ones: bulk first load of parcels, Arrow conversions, geodesic areas."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import shapely
from django.db import connection
from pyproj import Geod

from gis_core.geometry import geodesic_areas
from gis_core.importing import ImportAborted
from gis_core.importing.convert import attributes_column, json_value, text_column, text_value, typed_column, typed_value
from gis_core.importing.fields import FieldKind
from gis_core.models import ImportRun, ImportStatus, Territory
from parcels.importers.parcels import ParcelsBulkLoad
from parcels.models import Parcel
from tests.importing.conftest import run, square, write_layer


@pytest.fixture
def bulk_loads(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every import of at least one feature may take the bulk path; the list counts the bulk loads finished."""
    settings.GIS_IMPORT_BULK_MIN_FEATURES = 1
    finished: list[int] = []
    original = ParcelsBulkLoad.finish

    def finish(self: ParcelsBulkLoad, log: Any) -> Any:
        finished.append(self.copied)
        return original(self, log)

    monkeypatch.setattr(ParcelsBulkLoad, "finish", finish)
    return finished


def table_schema() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'parcels_parcel'::regclass "
            "UNION ALL SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'parcels_parcel' ORDER BY 1, 2"
        )
        return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def parcels_rows() -> list[tuple[Any, ...]]:
    return [
        (p.reference, p.land_title, p.official_area_m2, round(p.area_m2, 6), p.geom.wkt, p.attributes)
        for p in Parcel.objects.order_by("reference")
    ]


def mixed_layer(path: Path) -> Path:
    bowtie = shapely.Polygon([(-71.12, 42.37), (-71.119, 42.371), (-71.119, 42.37), (-71.12, 42.371)])
    with_z = shapely.Polygon([(-71.10, 42.37, 5), (-71.0997, 42.37, 5), (-71.0997, 42.3703, 5), (-71.10, 42.37, 5)])
    geometries = [
        shapely.MultiPolygon([square(-71.13, 42.37)]),
        bowtie,
        shapely.LineString([(-71.12, 42.37), (-71.11, 42.38)]),
        square(-71.11, 42.37),
        shapely.MultiPolygon([square(-71.14, 42.38), square(-71.141, 42.381)]),
        with_z,
        square(-71.15, 42.39),
        None,
    ]
    return write_layer(
        path,
        geometries,
        {
            "ref": ["A", "BOW", "LINE", "DUP", "DUP", "Z", " padded ", "NONE"],
            "titre": ["T-A", None, "T-L", "first", "last", "T-Z", "", "T-N"],
            "superficie": [100.5, None, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "note": ['quote " and \\ back', "ligne\nsuivante", None, "é ع", "\x01 control", "tab\tin", "", "x"],
            "floors": [1, 2, 3, None, 5, 6, 7, 8],
            "ratio": [0.1, 1.0, 1e16, float("nan"), 2.5, -0.0, 3.0, 4.0],
        },
        driver="GPKG",
    )


def test_bulk_first_load_gives_the_results_of_the_upsert(
    commune: Territory, tmp_path: Path, settings: Any, bulk_loads: list[int]
) -> None:
    path = mixed_layer(tmp_path / "mixed.gpkg")
    schema = table_schema()
    settings.GIS_IMPORT_BULK_MIN_FEATURES = 10**9
    upserted = run("parcels", path, options={"commune": commune.code})
    expected_rows = parcels_rows()
    Parcel.objects.all().delete()  # leaves deferred foreign-key events pending: the bulk path must flush them

    settings.GIS_IMPORT_BULK_MIN_FEATURES = 1
    bulk = run("parcels", path, options={"commune": commune.code})

    assert bulk_loads == [6]  # A, BOW, DUP, DUP, Z, padded: copied; LINE and NONE rejected before
    counts = ("read", "inserted", "updated", "repaired", "rejected")
    assert [getattr(bulk, name) for name in counts] == [getattr(upserted, name) for name in counts] == [8, 5, 0, 1, 3]
    assert sorted(map(json.dumps, bulk.issues)) == sorted(map(json.dumps, upserted.issues))
    assert parcels_rows() == expected_rows
    assert Parcel.objects.get(reference="DUP").land_title == "last"
    assert Parcel.objects.get(reference="padded").land_title == ""
    assert Parcel.objects.get(reference="A").attributes == {
        "note": 'quote " and \\ back',
        "floors": "1",
        "ratio": "0.1",
    }
    assert table_schema() == schema


def test_bulk_path_only_for_a_first_load(commune: Territory, tmp_path: Path, bulk_loads: list[int]) -> None:
    path = write_layer(
        tmp_path / "p.gpkg", [square(-71.12, 42.37), square(-71.11, 42.37)], {"ref": ["A", "B"]}, driver="GPKG"
    )
    first = run("parcels", path, options={"commune": commune.code})
    again = run("parcels", path, options={"commune": commune.code})
    located = run("parcels", path)  # no --commune: located spatially, by the staging path
    assert (first.inserted, again.inserted, again.updated, located.updated) == (2, 0, 2, 2)
    assert bulk_loads == [2]


def test_bulk_failure_and_dry_run_leave_table_and_indexes(
    commune: Territory, tmp_path: Path, bulk_loads: list[int]
) -> None:
    schema = table_schema()
    good = write_layer(tmp_path / "good.gpkg", [square(-71.12, 42.37)], {"ref": ["D"]}, driver="GPKG")
    assert run("parcels", good, options={"commune": commune.code}, dry_run=True).inserted == 1
    too_long = write_layer(tmp_path / "long.gpkg", [square(-71.12, 42.37)], {"ref": ["X" * 150]}, driver="GPKG")
    with pytest.raises(ImportAborted, match="rolled back"):
        run("parcels", too_long, options={"commune": commune.code})
    assert Parcel.objects.count() == 0
    assert table_schema() == schema
    assert list(ImportRun.objects.order_by("pk").values_list("status", flat=True)) == [
        ImportStatus.DRY_RUN,
        ImportStatus.FAILED,
    ]


def test_arrow_conversions_follow_the_value_rules() -> None:
    texts = pa.array([" a ", "", None, "b", "  "])
    assert text_column(texts).to_pylist() == [text_value(value) for value in texts.to_pylist()]
    integers = pa.array([1, None, -3])
    assert text_column(integers).to_pylist() == [text_value(value) for value in integers.to_pylist()]
    floats = pa.array([1.5, None, float("nan"), 2.0, float("inf")])
    values, problems = typed_column(floats, FieldKind.FLOAT)
    assert values.to_pylist()[:4] == [1.5, None, None, 2.0]
    assert problems == {4: "'inf' is not a finite number"}
    strings = pa.array(["1,5", "x", "3"])
    values, problems = typed_column(strings, FieldKind.INTEGER)
    assert values.to_pylist() == [None, None, 3] and set(problems) == {0, 1}
    with pytest.raises(ValueError):
        typed_value("1,5", FieldKind.INTEGER)

    columns = {
        "text": pa.array(['a "b" \\ c', "line\nnext\r\t\b\f", None, "\x1f unit", "é ع"]),
        "integer": pa.array([1, None, 3, 4, 5]),
        "float": pa.array([0.1, 1.0, float("nan"), 1e16, float("-inf")]),
        "flag": pa.array([True, False, None, True, False]),
        "day": pa.array([date(2024, 1, 2), None, date(1999, 12, 31), None, None]),
    }
    objects = attributes_column(columns, list(columns))
    assert objects is not None
    rows = [{name: column[row].as_py() for name, column in columns.items()} for row in range(5)]
    expected = [
        json.dumps({name: json_value(value) for name, value in row.items() if value is not None}, ensure_ascii=False)
        for row in rows
    ]
    assert [json.loads(text) for text in objects.to_pylist()] == [json.loads(text) for text in expected]


def test_geodesic_areas_match_the_geodesic_polygons() -> None:
    geod = Geod(ellps="WGS84")
    shapes = [
        shapely.Polygon([(-7.62, 33.59), (-7.6195, 33.5901), (-7.6196, 33.5906), (-7.6201, 33.5905)]),
        shapely.box(10, 60, 11, 61).difference(shapely.box(10.2, 60.2, 10.4, 60.4)),
        shapely.MultiPolygon([shapely.box(0, 0, 0.01, 0.01), shapely.box(20, 50, 20.01, 50.01)]),
        shapely.box(-71.2, 42.3, -71.0, 42.45),
    ]
    expected = np.array([abs(geod.geometry_area_perimeter(shape)[0]) for shape in shapes])
    areas = geodesic_areas(np.array([*shapes, shapely.Point(0, 0), None], dtype=object))
    assert areas[:4] == pytest.approx(expected, rel=1e-4)
    assert list(areas[4:]) == [0.0, 0.0]
    assert not math.isnan(areas.sum())
