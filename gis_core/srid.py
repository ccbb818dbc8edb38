"""Spatial reference systems the platform knows, and the choice of a metric SRID for a location.

Capabilities are a table, not if/else: `METRIC_SRIDS` lists the projected systems tried in order,
each with the lon/lat box where it is valid; UTM is the fallback anywhere on Earth.
"""

from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS
from pyproj.exceptions import CRSError

WGS84 = 4326
WEB_MERCATOR = 3857
STORAGE_SRID = WGS84


@dataclass(frozen=True)
class MetricSrid:
    srid: int
    name: str
    west: float
    south: float
    east: float
    north: float

    def covers(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def _metric_srid(srid: int) -> MetricSrid:
    crs = CRS.from_epsg(srid)
    area = crs.area_of_use
    assert area is not None
    return MetricSrid(srid, crs.name, area.west, area.south, area.east, area.north)


# Morocco's Lambert conformal conic zones (Merchich datum), most specific first.
MOROCCO_LAMBERT_SRIDS = (26191, 26192, 26194, 26195)
METRIC_SRIDS = tuple(_metric_srid(srid) for srid in MOROCCO_LAMBERT_SRIDS)


def utm_srid(lon: float, lat: float) -> int:
    zone = min(max(int((lon + 180) // 6) + 1, 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


def metric_srid_for(lon: float, lat: float) -> int:
    """A projected SRID in metres suited to measuring lengths and setbacks around (lon, lat)."""
    for candidate in METRIC_SRIDS:
        if candidate.covers(lon, lat):
            return candidate.srid
    return utm_srid(lon, lat)


class UnknownSrid(ValueError):
    pass


@lru_cache(maxsize=256)
def crs_for(srid: int) -> CRS:
    try:
        return CRS.from_epsg(srid)
    except CRSError as error:
        raise UnknownSrid(f"EPSG:{srid} is not a known coordinate reference system") from error
