"""Service-layer tests of the look-ups: by reference, land title, point (lon/lat, EPSG:26191, EPSG:3857), bbox
paging, and the zones, overlays and agencies of a site with shares checked against pyproj.Geod."""

from typing import Any

import pytest
import shapely
from django.db import DEFAULT_DB_ALIAS
from pyproj import Geod, Transformer

from gis_core.problems import BadInput, NotFound
from gis_core.srid import UnknownSrid
from parcels import selectors
from parcels.geometry_input import geodesic_area
from parcels.models import OverlayKind, PlanStatus
from tests.factories import (
    AgencyFactory,
    OverlayFactory,
    ParcelFactory,
    TerritoryFactory,
    ZoneFactory,
    ZoningPlanFactory,
    box,
)
from tests.parcels.conftest import X0, Y0, as_multipolygon, lambert_box, lambert_geojson, lambert_shape, to_lonlat

pytestmark = pytest.mark.django_db
# The look-up logic, read inside the test's transaction (the same SQL over the same geoportal views as the
# public path, which tests/parcels/test_api.py exercises through the read-only connection).
IN_TEST = DEFAULT_DB_ALIAS
GEOD = Geod(ellps="WGS84")


def test_parcel_by_reference_with_and_without_commune(site_parcel: Any) -> None:
    found = selectors.site_of_parcel_reference(reference="1234/A", commune_code="CASA-TEST", using=IN_TEST)
    assert found.parcel_id == site_parcel.id
    assert found.geometry.geom_type == "MultiPolygon"
    found = selectors.site_of_parcel_reference(reference="1234/A", commune_code=None, using=IN_TEST)
    assert found.parcel_id == site_parcel.id


def test_reference_in_two_communes_needs_the_commune(site_parcel: Any) -> None:
    other = TerritoryFactory(code="OTHER", geom=box(-7.75, 33.45, -7.40, 33.70))
    ParcelFactory(commune=other, reference="1234/A", geom=lambert_box(100, 100, 110, 110))
    with pytest.raises(BadInput, match="several communes"):
        selectors.site_of_parcel_reference(reference="1234/A", commune_code=None, using=IN_TEST)
    found = selectors.site_of_parcel_reference(reference="1234/A", commune_code="CASA-TEST", using=IN_TEST)
    assert found.parcel_id == site_parcel.id


def test_unknown_reference_is_not_found(casablanca: Any) -> None:
    with pytest.raises(NotFound, match="no parcel with reference"):
        selectors.site_of_parcel_reference(reference="nope", commune_code="CASA-TEST", using=IN_TEST)
    with pytest.raises(NotFound):
        selectors.parcel_get(parcel_id=987654321, using=IN_TEST)


def test_parcels_by_land_title(site_parcel: Any, east_neighbour: Any) -> None:
    found = selectors.parcels_search(land_title="T-5678/C", using=IN_TEST)
    assert [parcel.id for parcel in found.items] == [site_parcel.id]


def test_parcels_at_point_lon_lat(site_parcel: Any, east_neighbour: Any) -> None:
    lon, lat = to_lonlat(shapely.Point(X0 + 10, Y0 + 15)).coords[0]
    assert [parcel.id for parcel in selectors.parcels_at_point(x=lon, y=lat, using=IN_TEST)] == [site_parcel.id]


@pytest.mark.parametrize("srid", [26191, 3857])
def test_parcels_at_point_in_another_srid(site_parcel: Any, east_neighbour: Any, srid: int) -> None:
    lon, lat = to_lonlat(shapely.Point(X0 + 30, Y0 + 15)).coords[0]
    x, y = Transformer.from_crs(4326, srid, always_xy=True).transform(lon, lat)
    found = selectors.parcels_at_point(x=x, y=y, srid=srid, using=IN_TEST)
    assert [parcel.id for parcel in found] == [east_neighbour.id]


def test_point_in_a_commune_but_on_no_parcel_is_empty(site_parcel: Any) -> None:
    lon, lat = to_lonlat(shapely.Point(X0 + 500, Y0 + 500)).coords[0]
    assert selectors.parcels_at_point(x=lon, y=lat, using=IN_TEST) == []


def test_point_outside_every_commune_is_empty_too(site_parcel: Any) -> None:
    assert selectors.parcels_at_point(x=2.35, y=48.85, using=IN_TEST) == []  # a valid question with no match


def test_unknown_srid_and_impossible_coordinates(site_parcel: Any) -> None:
    with pytest.raises(UnknownSrid):
        selectors.parcels_at_point(x=1, y=2, srid=999999, using=IN_TEST)
    with pytest.raises(BadInput, match="not a longitude/latitude"):
        selectors.parcels_at_point(x=300000, y=330000, using=IN_TEST)
    with pytest.raises(BadInput, match="look like longitude/latitude degrees"):
        selectors.parcels_at_point(x=-7.6, y=33.5, srid=26191, using=IN_TEST)


def test_bbox_paging_by_key(casablanca: Any) -> None:
    parcels = [ParcelFactory.create(commune=casablanca, geom=lambert_box(i * 10, 0, i * 10 + 9, 9)) for i in range(5)]
    ParcelFactory(commune=casablanca, geom=lambert_box(1000, 1000, 1010, 1010))  # outside the box
    west, south = to_lonlat(shapely.Point(X0 - 1, Y0 - 1)).coords[0]
    east, north = to_lonlat(shapely.Point(X0 + 60, Y0 + 10)).coords[0]
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        page = selectors.parcels_search(bbox=(west, south, east, north), after=after, limit=2, using=IN_TEST)
        seen.extend(parcel.id for parcel in page.items)
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [parcel.id for parcel in parcels]
    assert pages == 3


def test_bbox_in_lambert(casablanca: Any) -> None:
    inside: Any = ParcelFactory(commune=casablanca, geom=lambert_box(0, 0, 9, 9))
    ParcelFactory(commune=casablanca, geom=lambert_box(50, 50, 59, 59))
    page = selectors.parcels_search(bbox=(X0 - 1, Y0 - 1, X0 + 20, Y0 + 20), srid=26191, using=IN_TEST)
    assert [parcel.id for parcel in page.items] == [inside.id]


def test_bad_limit_and_bbox(casablanca: Any) -> None:
    with pytest.raises(BadInput, match="limit"):
        selectors.parcels_search(limit=0, using=IN_TEST)
    with pytest.raises(BadInput, match="bbox"):
        selectors.parcels_search(bbox=(1, 1, 0, 0), using=IN_TEST)


def expected_share(site: shapely.Geometry, other: shapely.Geometry) -> float:
    return geodesic_area(site.intersection(other)) / abs(GEOD.geometry_area_perimeter(site)[0])


def test_zone_shares_on_known_rectangles(site_parcel: Any) -> None:
    west: Any = ZoneFactory(
        commune=site_parcel.commune, code="W", geom=lambert_box(-50, -50, 5, 50)
    )  # 5/20 of the parcel
    east: Any = ZoneFactory(commune=site_parcel.commune, code="E", geom=lambert_box(5, -50, 50, 50))  # 15/20
    ZoneFactory(commune=site_parcel.commune, code="FAR", geom=lambert_box(100, 100, 200, 200))
    ZoneFactory(commune=site_parcel.commune, code="TOUCH", geom=lambert_box(-50, -50, 0, 50))  # shares an edge only
    repealed = ZoningPlanFactory(name="Old plan", status=PlanStatus.REPEALED)
    ZoneFactory(plan=repealed, commune=site_parcel.commune, code="OLD", geom=lambert_box(-50, -50, 50, 50))
    result = selectors.constraints_for_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    site = shapely.from_wkb(bytes(site_parcel.geom.wkb))
    assert result.site.area_m2 == pytest.approx(600, rel=1e-3)  # 20 m x 30 m in Lambert, scale factor ~0.9996
    assert result.site.area_m2 == pytest.approx(abs(GEOD.geometry_area_perimeter(site)[0]), rel=1e-9)
    by_code = {zone.code: zone for zone in result.zones}
    assert set(by_code) == {"W", "E"}
    assert by_code["W"].share == pytest.approx(0.25, abs=1e-4)
    assert by_code["E"].share == pytest.approx(0.75, abs=1e-4)
    assert by_code["W"].share == pytest.approx(expected_share(site, shapely.from_wkb(bytes(west.geom.wkb))), rel=1e-7)
    assert by_code["E"].share == pytest.approx(expected_share(site, shapely.from_wkb(bytes(east.geom.wkb))), rel=1e-7)
    assert [zone.code for zone in result.zones] == ["E", "W"]  # largest share first
    assert by_code["E"].rules.max_coverage_ratio == 0.6


def test_overlays_with_buffer_and_distinct_agencies(site_parcel: Any) -> None:
    heritage = AgencyFactory(code="HERITAGE", name_fr="Inspection des monuments", name_ar="المفتشية")
    # A monument 10 m east of the parcel with a 15 m protection buffer: 5 m of the parcel's width is inside.
    monument = lambert_shape(30, 10, 32, 12)
    buffered = monument.buffer(15, quad_segs=32)
    OverlayFactory(
        commune=site_parcel.commune,
        reference="MON-1",
        kind="heritage",
        agency=heritage,
        buffer_m=15,
        geom=as_multipolygon(to_lonlat(monument)),
        effective_geom=as_multipolygon(to_lonlat(buffered)),
    )
    OverlayFactory(
        commune=site_parcel.commune,
        reference="HER-2",
        kind="heritage",
        agency=heritage,
        geom=lambert_box(-5, -5, 2, 40),
        effective_geom=lambert_box(-5, -5, 2, 40),
    )
    flood_agency = AgencyFactory(code="ABH", name_fr="Agence du bassin hydraulique")
    OverlayFactory(
        commune=site_parcel.commune,
        reference="FLOOD-1",
        kind="flood_risk",
        agency=flood_agency,
        geom=lambert_box(-10, 20, 50, 60),
        effective_geom=lambert_box(-10, 20, 50, 60),
    )
    OverlayFactory(commune=site_parcel.commune, reference="FAR", geom=lambert_box(500, 500, 510, 510),
                   effective_geom=lambert_box(500, 500, 510, 510))  # fmt: skip
    result = selectors.constraints_for_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    by_reference = {overlay.reference: overlay for overlay in result.overlays}
    assert set(by_reference) == {"MON-1", "HER-2", "FLOOD-1"}
    site = lambert_shape(0, 0, 20, 30)
    assert by_reference["MON-1"].share == pytest.approx(site.intersection(buffered).area / site.area, rel=1e-4)
    assert by_reference["HER-2"].share == pytest.approx(0.1, abs=1e-4)
    assert by_reference["FLOOD-1"].share == pytest.approx(1 / 3, abs=1e-4)
    assert by_reference["MON-1"].kind_label == str(OverlayKind.HERITAGE.label)  # in the active language
    assert [agency.code for agency in result.agencies] == ["ABH", "HERITAGE"]


def test_constraints_for_a_drawn_polygon_in_lambert(site_parcel: Any, residential_zone: Any) -> None:
    result = selectors.constraints_for_geometry(geometry=lambert_geojson(0, 0, 10, 10), srid=26191, using=IN_TEST)
    assert result.site.parcel_id is None
    assert result.site.area_m2 == pytest.approx(100, rel=1e-3)
    assert [(zone.code, round(zone.share, 6)) for zone in result.zones] == [("R1", 1.0)]


def test_drawn_polygon_outside_every_commune(site_parcel: Any) -> None:
    paris = {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}
    with pytest.raises(BadInput, match="outside every commune"):
        selectors.constraints_for_geometry(geometry=paris, using=IN_TEST)


def test_projected_coordinates_far_outside_their_crs(site_parcel: Any) -> None:
    with pytest.raises(BadInput, match="cannot be a position in EPSG:26191"):
        selectors.parcels_at_point(x=9_000_000, y=9_000_000, srid=26191, using=IN_TEST)
