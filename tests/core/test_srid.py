"""The metric SRID of a place: Morocco's Lambert zones where they apply, UTM anywhere else; lengths measured in it
are true to the ground. Unknown SRIDs are a typed error."""

import pytest
from pyproj import Geod, Transformer

from gis_core.srid import (
    METRIC_SRIDS,
    MOROCCO_LAMBERT_SRIDS,
    STORAGE_SRID,
    WGS84,
    MetricSrid,
    UnknownSrid,
    crs_for,
    metric_srid_for,
    utm_srid,
)

GEOD = Geod(ellps="WGS84")

NORD_MAROC, SUD_MAROC, SAHARA_NORD, SAHARA_SUD = 26191, 26192, 26194, 26195


@pytest.mark.parametrize(
    ("place", "lon", "lat", "expected"),
    [
        ("Casablanca", -7.59, 33.57, NORD_MAROC),
        ("Tangier", -5.81, 35.77, NORD_MAROC),
        ("Oujda", -1.91, 34.68, NORD_MAROC),
        ("Marrakech", -8.00, 31.63, NORD_MAROC),
        ("Agadir", -9.60, 30.42, SUD_MAROC),
        ("Laayoune", -13.20, 27.15, SAHARA_NORD),
        ("Dakhla", -15.93, 23.70, SAHARA_SUD),
        ("Lagouira", -17.09, 20.84, SAHARA_SUD),
    ],
)
def test_a_place_in_morocco_gets_its_lambert_zone(place: str, lon: float, lat: float, expected: int) -> None:
    assert metric_srid_for(lon, lat) == expected, place


@pytest.mark.parametrize(
    ("place", "lon", "lat", "expected"),
    [
        ("Paris", 2.35, 48.85, 32631),
        ("Cambridge, MA", -71.10, 42.37, 32619),
        ("Sydney", 151.20, -33.87, 32756),
        ("Seville", -5.98, 37.39, 32630),  # north of Nord Maroc's box
        ("Oran", -0.64, 35.70, 32630),  # east of it
        ("Las Palmas", -15.43, 28.10, 32628),  # west of Sud Maroc's box
    ],
)
def test_a_place_outside_morocco_gets_its_utm_zone(place: str, lon: float, lat: float, expected: int) -> None:
    assert metric_srid_for(lon, lat) == expected, place


def test_where_two_lambert_zones_overlap_the_northern_one_wins() -> None:
    # The official boxes overlap by a few hundredths of a degree along each zone limit.
    assert metric_srid_for(-8.0, 31.50) == NORD_MAROC
    assert metric_srid_for(-10.0, 27.665) == SUD_MAROC
    assert metric_srid_for(-14.0, 24.30) == SAHARA_NORD


def test_a_zone_box_includes_its_edges_and_nothing_beyond() -> None:
    nord = next(zone for zone in METRIC_SRIDS if zone.srid == NORD_MAROC)
    assert nord.covers(nord.west, nord.south) and nord.covers(nord.east, nord.north)
    assert not nord.covers(nord.west - 0.01, 33.0)
    assert metric_srid_for(nord.west - 0.01, 33.0) == 32629  # just west of the zone: UTM again


def test_the_zones_are_tried_most_specific_first_and_known_to_pyproj() -> None:
    assert [zone.srid for zone in METRIC_SRIDS] == list(MOROCCO_LAMBERT_SRIDS)
    for zone in METRIC_SRIDS:
        assert isinstance(zone, MetricSrid) and "Merchich" in zone.name
        assert zone.west < zone.east and zone.south < zone.north


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (0.0, 0.0, 32631),  # the equator counts as north
        (-0.0001, -0.0001, 32730),
        (-180.0, 10.0, 32601),
        (180.0, 10.0, 32660),  # the antimeridian stays in zone 60
        (179.999, -45.0, 32760),
        (-174.0, 10.0, 32602),  # a zone starts at its western limit
        (-174.0001, 10.0, 32601),
    ],
)
def test_utm_zone_and_hemisphere_at_the_edges(lon: float, lat: float, expected: int) -> None:
    assert utm_srid(lon, lat) == expected


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(-7.59, 33.57), (-9.60, 30.42), (-13.20, 27.15), (-15.93, 23.70), (2.35, 48.85), (151.20, -33.87)],
)
def test_a_kilometre_on_the_ground_measures_a_kilometre_in_the_metric_srid(lon: float, lat: float) -> None:
    to_metric = Transformer.from_crs(WGS84, metric_srid_for(lon, lat), always_xy=True)
    for azimuth in (0, 45, 90):
        end_lon, end_lat, _ = GEOD.fwd(lon, lat, azimuth, 1000.0)
        (x1, x2), (y1, y2) = to_metric.transform([lon, end_lon], [lat, end_lat])
        assert ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 == pytest.approx(1000.0, rel=1e-3)


def test_crs_for_a_known_srid() -> None:
    assert STORAGE_SRID == WGS84 == 4326
    assert crs_for(4326).is_geographic
    lambert = crs_for(NORD_MAROC)
    assert lambert.is_projected and lambert.name == "Merchich / Nord Maroc"
    assert lambert.axis_info[0].unit_name == "metre"


@pytest.mark.parametrize("srid", [999999, 0, -1])
def test_an_unknown_srid_is_a_typed_error(srid: int) -> None:
    with pytest.raises(UnknownSrid, match=f"EPSG:{srid} is not a known"):
        crs_for(srid)
    assert issubclass(UnknownSrid, ValueError)
