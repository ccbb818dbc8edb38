"""The coordinate reference systems of OGC API Features Part 2: what a collection offers in `crs` and `bbox-crs`.

Storage is CRS84 (lon/lat on WGS 84, `STORAGE_SRID`); every other CRS is reached by PostGIS in the items
statement itself (`ST_Transform`), never feature by feature in Python. The OGC URI of EPSG:4326 means latitude
first (its EPSG axis order), so its coordinates are flipped (`ST_FlipCoordinates`), in answers and in a
`bbox-crs` alike; the projected systems are easting, northing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS

from gis_core.srid import STORAGE_SRID, WEB_MERCATOR, WGS84

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
# Morocco's Lambert zones on the Merchich datum: Nord, Sud, Sahara (deprecated by EPSG, still in use), Sahara Nord,
# Sahara Sud.
MOROCCO_LAMBERT_ZONES = (26191, 26192, 26193, 26194, 26195)
OFFERED_SRIDS = (WGS84, WEB_MERCATOR, *MOROCCO_LAMBERT_ZONES)


@dataclass(frozen=True)
class OgcCrs:
    uri: str
    srid: int
    lat_first: bool  # the URI's axis order is (lat, lon): coordinates are flipped from PostGIS's (x, y)
    decimals: int  # of the GeoJSON coordinates: ~1 cm in degrees or in metres

    @property
    def is_storage(self) -> bool:
        return self.srid == STORAGE_SRID and not self.lat_first


def _epsg(srid: int) -> OgcCrs:
    crs = CRS.from_epsg(srid)
    return OgcCrs(
        uri=EPSG_URI.format(srid),
        srid=srid,
        lat_first=crs.axis_info[0].direction == "north",
        decimals=7 if crs.is_geographic else 2,
    )


@lru_cache(maxsize=1)
def offered() -> dict[str, OgcCrs]:
    """Every CRS a collection offers, by URI; CRS84 (the storage CRS and the default) first."""
    systems = [OgcCrs(uri=CRS84, srid=STORAGE_SRID, lat_first=False, decimals=7)]
    systems.extend(_epsg(srid) for srid in OFFERED_SRIDS)
    return {system.uri: system for system in systems}


def crs_for(uri: str | None) -> OgcCrs:
    """The offered CRS of a URI pygeoapi already checked against the collection's list (None: the default)."""
    return offered()[uri or CRS84]
