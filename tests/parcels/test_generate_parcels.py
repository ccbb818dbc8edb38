"""`generate_parcels`: counts, references, valid non-overlapping lots inside the commune, sizes, GeoPackage output."""

from pathlib import Path

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import CommandError, call_command
from pyproj import Geod

from parcels.models import Parcel
from tests.factories import TerritoryFactory, geodesic_area

pytestmark = pytest.mark.django_db

# An irregular commune of about 1.3 km² near Casablanca, so that lots near its edges get clipped.
COMMUNE_RING = (
    (-7.640, 33.560),
    (-7.628, 33.561),
    (-7.626, 33.572),
    (-7.633, 33.574),
    (-7.641, 33.568),
    (-7.640, 33.560),
)


@pytest.fixture
def commune():
    geometry = MultiPolygon(Polygon(COMMUNE_RING), srid=4326)
    return TerritoryFactory(code="GEN-TEST", geom=geometry, area_m2=geodesic_area(geometry))


def lots_of(commune) -> tuple[np.ndarray, np.ndarray]:
    rows = Parcel.objects.filter(commune=commune).order_by("id").values_list("geom", "area_m2")
    geometries = np.array([shapely.from_wkb(bytes(geom.wkb)) for geom, _ in rows])
    return geometries, np.array([area for _, area in rows])


def test_generates_valid_lots_that_do_not_overlap_inside_the_commune(commune) -> None:
    call_command("generate_parcels", count=3500, commune="GEN-TEST", seed=3)

    assert Parcel.objects.filter(commune=commune).count() == 3500
    first = Parcel.objects.get(commune=commune, reference="GEN-GEN-TEST-1")
    assert first.land_title == "T1/C"
    assert first.attributes["synthetic"] is True
    geometries, areas = lots_of(commune)
    polygons = np.array([shapely.get_geometry(geometry, 0) for geometry in geometries])
    assert (shapely.get_num_geometries(geometries) == 1).all()
    assert shapely.is_valid(polygons).all()
    vertices = shapely.get_num_coordinates(polygons) - 1
    assert vertices.min() >= 5 and vertices.max() <= 50
    assert len(np.unique(vertices)) > 10, "vertex counts vary"
    assert areas.min() >= 100 and areas.max() <= 2_000
    assert areas.max() / areas.min() > 4, "lot sizes vary"
    geod = Geod(ellps="WGS84")
    for polygon, area in zip(polygons[:50], areas[:50], strict=True):
        assert abs(geod.geometry_area_perimeter(polygon)[0]) == pytest.approx(area, rel=1e-4)
    boundary = shapely.from_wkb(bytes(commune.geom.wkb))
    assert shapely.covered_by(polygons, shapely.buffer(boundary, 1e-9)).all()
    assert (~shapely.contains_properly(shapely.buffer(boundary, -1e-7), polygons)).any(), "some lots are clipped"
    tree = shapely.STRtree(polygons)
    left, right = tree.query(polygons, predicate="intersects")
    pairs = left < right
    assert pairs.sum() > 1000, "lots of a block touch each other"
    overlaps = shapely.area(shapely.intersection(polygons[left[pairs]], polygons[right[pairs]]))
    assert overlaps.max() < 1e-13  # square degrees, about 0.001 m²


def test_running_again_with_the_same_seed_updates_in_place(commune) -> None:
    call_command("generate_parcels", count=300, commune="GEN-TEST", seed=5)
    before, _ = lots_of(commune)
    call_command("generate_parcels", count=300, commune="GEN-TEST", seed=5)
    after, _ = lots_of(commune)
    assert Parcel.objects.filter(commune=commune).count() == 300
    assert shapely.equals_exact(before, after, tolerance=1e-12).all()


def test_writes_a_readable_geopackage(commune, tmp_path: Path) -> None:
    from pyogrio import read_info
    from pyogrio.raw import read

    output = tmp_path / "lots.gpkg"
    call_command("generate_parcels", count=700, commune="GEN-TEST", output=str(output), chunk_size=200)

    info = read_info(output, layer="parcels")
    assert info["features"] == 700
    assert info["crs"] == "EPSG:4326"
    assert info["geometry_type"] == "MultiPolygon"
    _, _, geometries, fields = read(output, layer="parcels", columns=["reference", "land_title"])
    assert fields[0][699] == "GEN-GEN-TEST-700" and fields[1][0] == "T1/C"
    assert shapely.is_valid(shapely.from_wkb(geometries)).all()
    assert not Parcel.objects.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"commune": "NOWHERE", "count": 10}, "no territory has the code 'NOWHERE'"),
        ({"commune": "GEN-TEST", "count": 0}, "--count must be a positive number"),
        ({"commune": "GEN-TEST", "count": 100_000}, "do not fit"),
        ({"commune": "GEN-TEST", "count": 10, "output": "lots.shp"}, "GeoPackage"),
    ],
)
def test_clear_errors(commune, options: dict, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("generate_parcels", **options)


def test_refuses_a_territory_that_is_not_a_commune() -> None:
    TerritoryFactory(code="PROV", province=True)
    with pytest.raises(CommandError, match="not a commune"):
        call_command("generate_parcels", count=10, commune="PROV")
