"""Service tests of the zoning pre-check: every rule passing and failing with the right computed values,
setbacks on a parcel with a known neighbour, several zones, drawn sites and bad footprints."""

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS

from gis_core.geometry import InvalidGeometry
from gis_core.problems import BadInput
from parcels import selectors
from parcels.precheck import PrecheckResult, Status, project_from_input, zoning_precheck
from tests.factories import ParcelFactory, ZoneFactory
from tests.parcels.conftest import lambert_box, lambert_geojson

pytestmark = pytest.mark.django_db
# The look-up logic, read inside the test's transaction (the same SQL over the same geoportal views as the
# public path, which tests/parcels/test_api.py exercises through the read-only connection).
IN_TEST = DEFAULT_DB_ALIAS


def run(site: selectors.Site, footprint: Any, **project: Any) -> PrecheckResult:
    values: dict[str, Any] = {
        "height_m": 9.0,
        "floors": 3,
        "gross_floor_area_m2": 780.0,
        "use": "residential",
    } | project
    project_input = project_from_input(footprint=footprint, srid=26191, **values)
    return zoning_precheck(site=site, project=project_input, using=IN_TEST)


def by_rule(result: PrecheckResult, zone: str | None = "R1") -> dict[str, Any]:
    return {check.rule: check for check in result.checks if check.zone_code == zone}


def test_a_compliant_project_passes_every_rule(site_parcel: Any, east_neighbour: Any, residential_zone: Any) -> None:
    # Footprint 13 m x 20 m, 3 m from the west (road) side, 4 m from the east (neighbour) side, 5 m from the others.
    result = run(selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST), lambert_geojson(3, 5, 16, 25))
    checks = by_rule(result)
    assert result.passed is True
    assert {name: check.status for name, check in checks.items()} == {
        "coverage_ratio": Status.PASS,
        "floor_area_ratio": Status.PASS,
        "height": Status.PASS,
        "floors": Status.PASS,
        "setback_road": Status.PASS,
        "setback_neighbour": Status.PASS,
        "use": Status.PASS,
    }
    assert checks["coverage_ratio"].value == pytest.approx(260 / 600, abs=1e-5)
    assert checks["coverage_ratio"].limit == 0.6
    assert checks["floor_area_ratio"].value == pytest.approx(780 / result.site.area_m2, abs=1e-5)
    assert checks["setback_road"].value == pytest.approx(3.0, abs=1e-3)
    assert checks["setback_neighbour"].value == pytest.approx(4.0, abs=1e-3)
    assert result.measures.metric_srid == 26191
    assert result.measures.neighbour_side_length_m == pytest.approx(30 + 2 * 0.5, abs=0.01)
    assert result.measures.road_side_length_m == pytest.approx(30 + 2 * 19.5, abs=0.01)
    assert by_rule(result, None)["footprint_inside_site"].status == Status.PASS


def test_every_rule_fails_with_its_computed_value(site_parcel: Any, east_neighbour: Any, residential_zone: Any) -> None:
    result = run(
        selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST),
        lambert_geojson(1, 2, 19.5, 29),  # 18.5 m x 27 m = 499.5 m²
        height_m=15.5,
        floors=5,
        gross_floor_area_m2=2000.0,
        use="industrial",
    )
    checks = by_rule(result)
    assert result.passed is False
    assert all(check.status == Status.FAIL for check in checks.values())
    assert checks["coverage_ratio"].value == pytest.approx(499.5 / 600, abs=1e-5)
    assert checks["floor_area_ratio"].value == pytest.approx(2000 / result.site.area_m2, abs=1e-5)
    assert (checks["height"].value, checks["height"].limit) == (15.5, 12.0)
    assert (checks["floors"].value, checks["floors"].limit) == (5, 3)
    assert checks["setback_road"].value == pytest.approx(1.0, abs=1e-3)
    assert checks["setback_neighbour"].value == pytest.approx(0.5, abs=1e-3)
    assert "forbidden" in checks["use"].message
    assert "exceeds the maximum" in checks["height"].message
    assert "less than the minimum" in checks["setback_road"].message


def test_a_use_not_in_the_allowed_list_fails(site_parcel: Any, residential_zone: Any) -> None:
    site = selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    result = run(site, lambert_geojson(3, 5, 16, 25), use="Hotel")
    use = by_rule(result)["use"]
    assert use.status == Status.FAIL
    assert use.value == "hotel"
    assert "not among the uses allowed" in use.message


def test_without_neighbours_every_side_faces_the_road(site_parcel: Any, residential_zone: Any) -> None:
    result = run(selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST), lambert_geojson(3, 5, 16, 25))
    checks = by_rule(result)
    assert checks["setback_neighbour"].value is None
    assert checks["setback_neighbour"].status == Status.PASS
    assert checks["setback_road"].value == pytest.approx(3.0, abs=1e-3)
    assert result.measures.road_side_length_m == pytest.approx(100.0, abs=0.01)


def test_a_footprint_beyond_the_site_fails(site_parcel: Any, east_neighbour: Any, residential_zone: Any) -> None:
    result = run(selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST), lambert_geojson(15, 5, 25, 25))
    inside = by_rule(result, None)["footprint_inside_site"]
    assert inside.status == Status.FAIL
    assert inside.value == pytest.approx(100, rel=2e-3)
    checks = by_rule(result)
    assert checks["setback_road"].status == Status.FAIL
    assert "beyond the site boundary" in checks["setback_neighbour"].message
    assert result.passed is False


def test_unregulated_rules(site_parcel: Any) -> None:
    ZoneFactory(
        commune=site_parcel.commune,
        code="FREE",
        max_height_m=None,
        max_floors=None,
        max_coverage_ratio=None,
        max_floor_area_ratio=None,
        min_setback_road_m=None,
        min_setback_neighbour_m=None,
        allowed_uses=[],
        forbidden_uses=[],
        geom=lambert_box(-100, -100, 100, 100),
    )
    site = selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    result = run(site, lambert_geojson(3, 5, 16, 25), height_m=99)
    assert {check.status for check in by_rule(result, "FREE").values()} == {Status.NOT_REGULATED}
    assert by_rule(result, "FREE")["height"].value == 99
    assert result.passed is True


def test_no_zone_means_no_zoning_rule(site_parcel: Any) -> None:
    result = run(selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST), lambert_geojson(3, 5, 16, 25))
    assert by_rule(result, None)["zoning"].status == Status.NOT_REGULATED
    assert result.zones == []


def test_several_zones_are_each_evaluated_above_one_percent(site_parcel: Any) -> None:
    commune = site_parcel.commune
    ZoneFactory(commune=commune, code="W", max_height_m=8.0, geom=lambert_box(-50, -50, 5, 50))  # 25%
    ZoneFactory(commune=commune, code="E", max_height_m=12.0, geom=lambert_box(5, -50, 19.9, 50))  # 74.5%
    ZoneFactory(commune=commune, code="SLIVER", geom=lambert_box(19.9, -50, 50, 50))  # 0.5%
    site = selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    result = run(site, lambert_geojson(3, 5, 16, 25), height_m=10)
    evaluated = {item.zone.code: item.evaluated for item in result.zones}
    assert evaluated == {"W": True, "E": True, "SLIVER": False}
    assert by_rule(result, "W")["height"].status == Status.FAIL
    assert by_rule(result, "E")["height"].status == Status.PASS
    assert by_rule(result, "SLIVER") == {}
    assert result.passed is False


def test_a_drawn_site_over_an_existing_parcel_keeps_its_neighbours(
    site_parcel: Any, east_neighbour: Any, residential_zone: Any
) -> None:
    site = selectors.site_from_geometry(geometry=lambert_geojson(0, 0, 20, 30), srid=26191, using=IN_TEST)
    result = run(site, lambert_geojson(3, 5, 16, 25))
    checks = by_rule(result)
    assert checks["setback_neighbour"].value == pytest.approx(4.0, abs=1e-3)
    assert checks["setback_road"].value == pytest.approx(3.0, abs=1e-3)
    assert result.site.parcel_id is None


def test_site_by_reference(site_parcel: Any) -> None:
    site = selectors.site_of_parcel_reference(reference="1234/A", commune_code="CASA-TEST", using=IN_TEST)
    assert site.parcel_id == site_parcel.id


@pytest.mark.parametrize(
    ("footprint", "error", "message"),
    [
        (
            "POLYGON((300000 330000, 300010 330010, 300010 330000, 300000 330010, 300000 330000))",
            InvalidGeometry,
            "Self-intersection",
        ),
        ({"type": "Point", "coordinates": [300000, 330000]}, InvalidGeometry, "Polygon or MultiPolygon is expected"),
        ("POLYGON EMPTY", InvalidGeometry, "empty"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}, BadInput, "malformed GeoJSON"),
        ("POLYGON((0 0, 1 0", BadInput, "malformed WKT"),
        (42, BadInput, "GeoJSON object or a WKT string"),
    ],
)
def test_bad_footprints(footprint: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        project_from_input(footprint=footprint, height_m=1, floors=1, gross_floor_area_m2=1, use="office", srid=26191)


def test_a_parcel_enclosed_by_neighbours_has_no_road_side(site_parcel: Any, residential_zone: Any) -> None:
    commune = site_parcel.commune
    for box in [(-10, -10, 30, 0), (-10, 30, 30, 40), (-10, 0, 0, 30), (20, 0, 30, 30)]:
        ParcelFactory(commune=commune, geom=lambert_box(*box))
    result = run(selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST), lambert_geojson(3, 5, 16, 25))
    checks = by_rule(result)
    assert checks["setback_road"].value is None
    assert checks["setback_road"].status == Status.PASS
    assert checks["setback_neighbour"].value == pytest.approx(3.0, abs=1e-3)
    assert result.measures.road_side_length_m == 0
