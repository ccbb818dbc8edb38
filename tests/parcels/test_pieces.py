"""Shares computed over zone and overlay pieces (ST_Subdivide) equal the shares over the whole geometries."""

from typing import Any

import pytest
import shapely
from django.db import DEFAULT_DB_ALIAS

from parcels import selectors
from parcels.geometry_input import geodesic_area
from parcels.importers.pieces import zone_pieces_refresh
from parcels.models import OverlayPiece, ZonePiece
from tests.factories import OverlayFactory, ZoneFactory
from tests.parcels.conftest import as_multipolygon, lambert_shape, to_lonlat

# The look-up logic, read inside the test's transaction (the same SQL over the same geoportal views as the
# public path, which tests/parcels/test_api.py exercises through the read-only connection).
IN_TEST = DEFAULT_DB_ALIAS


def dense_zone_shape() -> shapely.Geometry:
    """A 300 m disc with a 40 m hole, ~4,000 vertices, around the site parcel (0..20, 0..30 m): many pieces."""
    disc = shapely.Point(lambert_shape(0, 0, 20, 30).centroid).buffer(300, quad_segs=1000)
    hole = shapely.Point(lambert_shape(100, 100, 101, 101).centroid).buffer(40, quad_segs=64)
    return to_lonlat(disc.difference(hole))


def whole_geometry_share(site: shapely.Geometry, zone: shapely.Geometry) -> tuple[float, float]:
    """The former computation: the intersection with the whole geometry, measured with pyproj.

    Where pieces meet at a T-junction, one side has a vertex on the other's straight (lon/lat) edge; a geodesic
    area reads that edge as one geodesic on one side and two on the other, a sliver of about L³/R for an edge of
    L metres inside the site: ~1e-8 of a parcel's area, 1e-6 only for sites of hundreds of metres (asserted here).
    """
    area = geodesic_area(site.intersection(zone))
    return area, area / geodesic_area(site)


@pytest.mark.parametrize(
    "site_box",
    [
        (0, 0, 20, 30),  # the parcel, inside one piece or across a few
        (-50, -50, 250, 250),  # across many pieces, the hole and the edge of the zone
        (280, -10, 340, 10),  # across the edge of the disc
        (55, 90, 85, 110),  # across the edge of the hole
    ],
)
def test_zone_shares_over_pieces_equal_whole_geometry_shares(site_parcel: Any, site_box: tuple[float, ...]) -> None:
    shape = dense_zone_shape()
    zone: Any = ZoneFactory(commune=site_parcel.commune, code="DENSE", geom=as_multipolygon(shape))
    assert ZonePiece.objects.filter(zone=zone).count() > 10
    site_geometry = to_lonlat(shapely.segmentize(lambert_shape(*site_box), 5.0))
    site = selectors.Site(geometry=site_geometry, area_m2=geodesic_area(site_geometry))
    [share] = selectors.zones_for_site(site=site, using=IN_TEST)
    expected_area, expected_share = whole_geometry_share(site_geometry, shape)
    assert share.area_m2 == pytest.approx(expected_area, rel=1e-6)
    assert share.share == pytest.approx(expected_share, rel=1e-6)


def test_a_site_inside_one_piece_takes_the_fast_path(site_parcel: Any, residential_zone: Any) -> None:
    assert ZonePiece.objects.filter(zone=residential_zone).count() == 1
    site = selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    [share] = selectors.zones_for_site(site=site, using=IN_TEST)
    assert (share.area_m2, share.share) == (site.area_m2, 1.0)  # exactly: no intersection computed


def test_overlay_shares_over_pieces_equal_whole_geometry_shares(site_parcel: Any) -> None:
    shape = dense_zone_shape()
    overlay: Any = OverlayFactory(
        commune=site_parcel.commune, geom=as_multipolygon(shape), effective_geom=as_multipolygon(shape)
    )
    assert OverlayPiece.objects.filter(overlay=overlay).count() > 10
    site_geometry = to_lonlat(shapely.segmentize(lambert_shape(-50, -50, 250, 250), 5.0))
    site = selectors.Site(geometry=site_geometry, area_m2=geodesic_area(site_geometry))
    [share] = selectors.overlays_for_site(site=site, using=IN_TEST)
    expected_area, expected_share = whole_geometry_share(site_geometry, shape)
    assert share.area_m2 == pytest.approx(expected_area, rel=1e-6)
    assert share.share == pytest.approx(expected_share, rel=1e-6)


def test_refresh_follows_a_geometry_written_outside_the_import(site_parcel: Any, residential_zone: Any) -> None:
    far = as_multipolygon(to_lonlat(lambert_shape(1000, 1000, 1100, 1100)))
    residential_zone.geom = far
    residential_zone.save()
    zone_pieces_refresh(zone_ids=[residential_zone.pk])
    site = selectors.site_of_parcel(parcel_id=site_parcel.id, using=IN_TEST)
    assert selectors.zones_for_site(site=site, using=IN_TEST) == []
    [piece] = ZonePiece.objects.filter(zone=residential_zone)
    assert piece.geom.equals(far[0])
