"""The geometry policy on the way in: valid polygons kept, invalid ones repaired and reported, empty and non-areal
ones rejected with the reason; coordinates that cannot be in their CRS refused; geodesic areas as PostGIS measures
them (checked against pyproj.Geod); a user's polygon never repaired silently."""

from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.polygon import orient

from gis_core.geometry import (
    AREA_OF_USE_MARGIN_DEGREES,
    CoordinatesOutsideCrs,
    InvalidGeometry,
    check_coordinates_in_crs,
    clean_polygons,
    crs_lonlat_bounds,
    geodesic_areas,
    origin_outside_area_of_use,
    parse_user_polygon,
    to_multipolygon,
)

GEOD = Geod(ellps="WGS84")
SQUARE = shapely.box(0, 0, 2, 2)
WITH_HOLE = shapely.Polygon(shapely.box(0, 0, 4, 4).exterior, [shapely.box(1, 1, 2, 2).exterior])
BOW_TIE = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])  # two triangles of area 1 crossing at (1, 1)
TWO_SQUARES = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 7, 7)])
FLAT = shapely.Polygon([(0, 0), (1, 0), (2, 0), (0, 0)])  # invalid, and its repair is a line
POINT = shapely.Point(1, 1)
LINE = shapely.LineString([(0, 0), (3, 4)])
# A hole that sticks out of its shell: invalid; the repair (GEOS's make_valid, by linework) cuts the overlap out of
# the shell and keeps the part of the hole outside it as a polygon of its own (16 - 1 + 1 = 16 square units).
HOLE_OUTSIDE = shapely.Polygon(shapely.box(0, 0, 4, 4).exterior, [shapely.box(3, 1, 5, 2).exterior])

CASABLANCA_LAMBERT = (298_000.0, 331_000.0)  # metres in EPSG:26191 (Merchich / Nord Maroc)


def as_array(*geometries: Any) -> np.ndarray:
    array = np.empty(len(geometries), dtype=object)
    array[:] = geometries
    return array


def geodesic_reference(geometry: shapely.Geometry) -> float:
    """GeographicLib's area (what PostGIS's `ST_Area(geography)` computes); holes clockwise so that they count."""
    return sum(GEOD.geometry_area_perimeter(orient(part, sign=1.0))[0] for part in shapely.get_parts(geometry))


# --- to_multipolygon ------------------------------------------------------------------------------------------


def test_a_polygon_becomes_a_one_part_multipolygon() -> None:
    result = to_multipolygon(WITH_HOLE)
    assert result is not None and result.geom_type == "MultiPolygon"
    assert len(result.geoms) == 1 and result.area == pytest.approx(15)
    assert result.equals(WITH_HOLE)


def test_a_multipolygon_keeps_its_parts() -> None:
    result = to_multipolygon(TWO_SQUARES)
    assert result is not None and result.equals(TWO_SQUARES) and len(result.geoms) == 2


def test_only_the_polygonal_parts_of_a_collection_are_kept() -> None:
    collection = shapely.GeometryCollection([SQUARE, POINT, LINE, shapely.MultiPolygon([shapely.box(9, 9, 10, 10)])])
    result = to_multipolygon(collection)
    assert result is not None and len(result.geoms) == 2 and result.area == pytest.approx(5)


@pytest.mark.parametrize(
    "geometry",
    [POINT, LINE, shapely.Polygon(), shapely.GeometryCollection([POINT, LINE]), shapely.MultiPolygon()],
    ids=["point", "line", "empty polygon", "points and lines", "empty multipolygon"],
)
def test_no_area_gives_none(geometry: shapely.Geometry) -> None:
    assert to_multipolygon(geometry) is None


# --- clean_polygons -------------------------------------------------------------------------------------------


def test_valid_polygons_are_kept_as_multipolygons_with_their_planar_area() -> None:
    result = clean_polygons(as_array(SQUARE, WITH_HOLE, TWO_SQUARES))
    assert result.kept.tolist() == [True, True, True]
    assert result.repaired == [] and result.rejected == []
    assert [geometry.geom_type for geometry in result.geometries] == ["MultiPolygon"] * 3
    assert result.geometries[1].equals(WITH_HOLE)  # the hole is kept
    assert result.planar_areas.tolist() == pytest.approx([4, 15, 5])
    # A valid MultiPolygon is the very input object; a Polygon had to be wrapped.
    assert result.unchanged.tolist() == [False, False, True]
    assert result.geometries[2] is TWO_SQUARES


@pytest.mark.parametrize(
    ("geometry", "area", "reason"),
    [(BOW_TIE, 2.0, "Self-intersection[1 1]"), (HOLE_OUTSIDE, 16.0, "Self-intersection[4 2]")],
    ids=["bow-tie", "hole outside its shell"],
)
def test_an_invalid_polygon_is_repaired_and_reported(geometry: shapely.Geometry, area: float, reason: str) -> None:
    result = clean_polygons(as_array(SQUARE, geometry))
    assert result.kept.tolist() == [True, True]
    repaired = result.geometries[1]
    assert repaired.geom_type == "MultiPolygon" and repaired.is_valid
    assert repaired.area == pytest.approx(area) and result.planar_areas[1] == pytest.approx(area)
    assert len(result.repaired) == 1 and result.repaired[0][0] == 1
    assert result.repaired[0][1].startswith("repaired: ") and reason in result.repaired[0][1]
    assert not result.unchanged[1] and result.rejected == []


def test_the_bow_tie_repair_keeps_both_triangles() -> None:
    repaired = clean_polygons(as_array(BOW_TIE)).geometries[0]
    assert len(repaired.geoms) == 2
    assert sorted(part.area for part in repaired.geoms) == pytest.approx([1, 1])


def test_empty_and_missing_geometries_are_rejected() -> None:
    result = clean_polygons(as_array(None, shapely.Polygon(), SQUARE, shapely.MultiPolygon()))
    assert result.kept.tolist() == [False, False, True, False]
    assert sorted(result.rejected) == [(0, "empty geometry"), (1, "empty geometry"), (3, "empty geometry")]
    assert result.planar_areas.tolist() == [0, 0, 4, 0]


def test_points_and_lines_are_rejected_unless_the_layer_keeps_them() -> None:
    geometries = as_array(POINT, LINE, shapely.MultiPoint([(0, 0), (1, 1)]), SQUARE)
    result = clean_polygons(geometries)
    assert result.kept.tolist() == [False, False, False, True]
    assert result.rejected == [
        (0, "not a polygon (Point)"),
        (1, "not a polygon (LineString)"),
        (2, "not a polygon (MultiPoint)"),
    ]
    kept = clean_polygons(geometries, keep_non_polygonal=True)
    assert kept.kept.tolist() == [True, True, True, True] and kept.rejected == []
    assert kept.geometries[0] is POINT and kept.geometries[1] is LINE  # as they are, to be buffered later
    assert kept.planar_areas[:3].tolist() == [0, 0, 0]


def test_a_collection_keeps_its_polygonal_part_or_is_rejected() -> None:
    with_area = shapely.GeometryCollection([SQUARE, LINE])
    without = shapely.GeometryCollection([POINT, LINE])
    result = clean_polygons(as_array(with_area, without))
    assert result.kept.tolist() == [True, False]
    assert result.geometries[0].equals(shapely.MultiPolygon([SQUARE])) and result.planar_areas[0] == 4
    assert result.rejected == [(1, "no polygonal part (GeometryCollection)")]
    assert result.repaired == []


def test_an_invalid_polygon_whose_repair_has_no_area_is_rejected() -> None:
    result = clean_polygons(as_array(FLAT))
    assert not result.kept[0] and result.repaired == []
    assert len(result.rejected) == 1
    index, reason = result.rejected[0]
    assert index == 0 and reason.startswith("invalid (") and reason.endswith("and its repair has no area")


def test_an_empty_batch_is_an_empty_result() -> None:
    result = clean_polygons(as_array())
    assert len(result.geometries) == len(result.kept) == len(result.planar_areas) == 0
    assert result.repaired == [] and result.rejected == []


# --- geodesic_areas -------------------------------------------------------------------------------------------


def test_a_parcel_has_its_geodesic_area() -> None:
    parcel = shapely.box(-7.6000, 33.5000, -7.5990, 33.5008)  # ~93 m x 89 m in Casablanca
    (area,) = geodesic_areas(as_array(parcel))
    assert area == pytest.approx(geodesic_reference(parcel), rel=1e-6)
    assert 8_000 < area < 8_500


def test_a_one_degree_square_is_within_the_documented_error() -> None:
    square = shapely.box(-8, 33, -7, 34)
    (area,) = geodesic_areas(as_array(square))
    assert area == pytest.approx(geodesic_reference(square), rel=5e-5)


def test_each_part_of_a_multipolygon_is_measured_at_its_own_latitude() -> None:
    north, south = shapely.box(10, 60, 10.01, 60.01), shapely.box(10, 0, 10.01, 0.01)
    (area,) = geodesic_areas(as_array(shapely.MultiPolygon([north, south])))
    assert area == pytest.approx(geodesic_reference(north) + geodesic_reference(south), rel=1e-6)
    assert geodesic_reference(north) < 0.6 * geodesic_reference(south)  # the same degrees, half the ground


def test_a_hole_is_not_counted() -> None:
    shell = shapely.box(-7.60, 33.50, -7.59, 33.51)
    with_hole = shapely.Polygon(shell.exterior, [shapely.box(-7.598, 33.502, -7.592, 33.508).exterior])
    whole, holed = geodesic_areas(as_array(shell, with_hole))
    assert holed == pytest.approx(geodesic_reference(with_hole), rel=1e-6)
    assert holed == pytest.approx(whole * (1 - 0.36), rel=1e-3)


def test_points_lines_missing_and_empty_measure_zero() -> None:
    areas = geodesic_areas(as_array(None, POINT, LINE, shapely.Polygon(), shapely.box(2, 48, 2.001, 48.001)))
    assert areas[:4].tolist() == [0, 0, 0, 0] and areas[4] > 0
    assert geodesic_areas(as_array()).tolist() == []


def test_known_planar_areas_give_the_same_result() -> None:
    parcels = as_array(shapely.box(-7.6, 33.5, -7.599, 33.501), shapely.box(2.35, 48.85, 2.352, 48.851), None)
    planar = shapely.area(parcels)
    assert geodesic_areas(parcels, np.nan_to_num(planar)).tolist() == pytest.approx(geodesic_areas(parcels).tolist())


# --- coordinates and their CRS ---------------------------------------------------------------------------------


def test_a_projected_crs_accepts_lon_lat_a_little_beyond_its_area_of_use() -> None:
    lambert = CRS.from_epsg(26191)
    area = lambert.area_of_use
    assert area is not None
    margin = AREA_OF_USE_MARGIN_DEGREES
    assert crs_lonlat_bounds(lambert) == pytest.approx(
        (area.west - margin, area.south - margin, area.east + margin, area.north + margin)
    )


def test_a_geographic_crs_or_one_without_an_area_of_use_covers_the_world() -> None:
    world = (-180.0, -90.0, 180.0, 90.0)
    assert crs_lonlat_bounds(CRS.from_epsg(4326)) == world
    local = CRS.from_proj4("+proj=tmerc +lat_0=0 +lon_0=10 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m")
    assert local.area_of_use is None and crs_lonlat_bounds(local) == world


@pytest.mark.parametrize(
    ("crs", "outside"),
    [
        (CRS.from_epsg(4326), False),
        (CRS.from_epsg(3857), False),  # (0, 0) is in the Gulf of Guinea, inside its area of use
        (CRS.from_epsg(32631), True),  # UTM: false easting of 500 km
        (CRS.from_epsg(26191), True),  # Lambert Nord Maroc: false origin (500 km, 300 km)
        (CRS.from_proj4("+proj=tmerc +lon_0=10 +ellps=WGS84 +units=m"), False),  # no area of use to compare with
    ],
    ids=["4326", "3857", "UTM 31N", "Lambert Nord Maroc", "no area of use"],
)
def test_which_crs_never_reach_their_origin(crs: CRS, outside: bool) -> None:
    assert origin_outside_area_of_use(crs) is outside


def test_coordinates_that_fit_their_crs_pass() -> None:
    lambert = shapely.box(*CASABLANCA_LAMBERT, CASABLANCA_LAMBERT[0] + 30, CASABLANCA_LAMBERT[1] + 20)
    check_coordinates_in_crs(as_array(lambert, None, shapely.Polygon()), CRS.from_epsg(26191), ["a", "b", "c"])
    check_coordinates_in_crs(as_array(shapely.box(-7.6, 33.5, -7.59, 33.51)), CRS.from_epsg(4326), ["a"])
    x, y = Transformer.from_crs(4326, 32631, always_xy=True).transform(2.35, 48.85)
    check_coordinates_in_crs(as_array(shapely.Point(x, y)), CRS.from_epsg(32631), ["paris"])
    check_coordinates_in_crs(as_array(None, None), CRS.from_epsg(26191), ["a", "b"])


def test_degrees_declared_as_metres_are_refused_naming_the_feature() -> None:
    geometries = as_array(shapely.box(*CASABLANCA_LAMBERT, 298_010, 331_010), shapely.box(-7.6, 33.5, -7.59, 33.51))
    with pytest.raises(CoordinatesOutsideCrs, match=r"feature B-2: .* look like longitude/latitude degrees"):
        check_coordinates_in_crs(geometries, CRS.from_epsg(26191), ["A-1", "B-2"])


def test_metres_declared_as_degrees_are_refused() -> None:
    with pytest.raises(CoordinatesOutsideCrs, match=r"feature 7: .* cannot be in EPSG:4326"):
        check_coordinates_in_crs(as_array(shapely.Point(*CASABLANCA_LAMBERT)), CRS.from_epsg(4326), ["7"])


def test_coordinates_of_another_country_are_refused_in_a_moroccan_lambert_zone() -> None:
    x, y = Transformer.from_crs(4326, 32631, always_xy=True).transform(2.35, 48.85)  # Paris in UTM 31N metres
    with pytest.raises(CoordinatesOutsideCrs, match=r"cannot be in EPSG:26191 \(Merchich / Nord Maroc\)"):
        check_coordinates_in_crs(as_array(shapely.Point(x, y)), CRS.from_epsg(26191), ["paris"])


def test_coordinates_that_are_not_finite_are_refused() -> None:
    nan_point = shapely.Point(float("nan"), 1.0)
    with pytest.raises(CoordinatesOutsideCrs, match="feature second: coordinates are not finite numbers"):
        check_coordinates_in_crs(as_array(shapely.Point(1, 1), nan_point), CRS.from_epsg(4326), ["first", "second"])


# --- a user's polygon -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("geometry", [SQUARE, WITH_HOLE, TWO_SQUARES], ids=["polygon", "with a hole", "multi"])
def test_a_valid_user_polygon_is_returned_as_it_is(geometry: shapely.Geometry) -> None:
    assert parse_user_polygon(geometry) is geometry


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (None, "the geometry is empty"),
        (shapely.Polygon(), "the geometry is empty"),
        (POINT, "a Polygon or MultiPolygon is expected, not a Point"),
        (shapely.GeometryCollection([SQUARE]), "not a GeometryCollection"),
        (BOW_TIE, r"the polygon is not valid: Self-intersection\[1 1\]"),
    ],
    ids=["none", "empty", "point", "collection", "bow-tie"],
)
def test_a_user_polygon_that_cannot_be_used_is_refused_never_repaired(geometry: Any, message: str) -> None:
    with pytest.raises(InvalidGeometry, match=message):
        parse_user_polygon(geometry)
