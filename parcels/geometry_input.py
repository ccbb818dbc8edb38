"""Geometries, points and boxes given by API users, and the measures the look-ups and the pre-check share.

A geometry is accepted as a GeoJSON geometry object, a GeoJSON Feature, or a WKT/EWKT string. Its
coordinates are in WGS84 lon/lat unless an SRID is given (the `srid` argument, an EWKT `SRID=n;` prefix or a
legacy GeoJSON `crs` member). Everything is transformed here, once, to the storage SRID (EPSG:4326) so that the
database only ever compares with its indexed 4326 columns.

Areas are geodesic (WGS84 ellipsoid, as `Parcel.area_m2`); lengths and distances are measured in the metric
SRID of the site (`gis_core.srid.metric_srid_for`).
"""

import json
import math
import re
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer

from gis_core.geometry import InvalidGeometry, crs_lonlat_bounds, parse_user_polygon
from gis_core.problems import BadInput
from gis_core.srid import STORAGE_SRID, UnknownSrid, crs_for, metric_srid_for

GeometryInput = dict[str, Any] | str

WGS84_ELLIPSOID = Geod(ellps="WGS84")
_EWKT_PREFIX = re.compile(r"^\s*SRID\s*=\s*(-?\d+)\s*;\s*(.*)$", re.IGNORECASE | re.DOTALL)
_CRS_NAME = re.compile(r"EPSG:+(\d+)$", re.IGNORECASE)
_GEOJSON_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


@lru_cache(maxsize=64)
def transformer(source_srid: int, target_srid: int) -> Transformer:
    """A cached lon/lat-ordered transformer (building one costs milliseconds; using one, microseconds)."""
    return Transformer.from_crs(crs_for(source_srid), crs_for(target_srid), always_xy=True)


def transform_geometry(geometry: shapely.Geometry, *, source_srid: int, target_srid: int) -> shapely.Geometry:
    if source_srid == target_srid:
        return geometry
    forward = transformer(source_srid, target_srid)

    def _apply(coordinates: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coordinates[:, 0], coordinates[:, 1], errcheck=False)
        return np.column_stack([x, y])

    return shapely.transform(geometry, _apply)


def check_srid(srid: int) -> int:
    """The SRID itself when it is a known horizontal coordinate reference system; UnknownSrid otherwise."""
    crs = crs_for(srid)
    if not (crs.is_geographic or crs.is_projected):
        raise UnknownSrid(f"EPSG:{srid} ({crs.name}) is not a horizontal (geographic or projected) system")
    return srid


def _check_in_crs(geometry: shapely.Geometry, *, srid: int, label: str) -> None:
    """Coordinates must be finite and inside the area where `srid` is used (degrees given as metres fail)."""
    coordinates = shapely.get_coordinates(geometry)
    if srid == STORAGE_SRID and len(coordinates):  # the common case in one test: NaN fails every comparison
        (west, south), (east, north) = coordinates.min(axis=0), coordinates.max(axis=0)
        if -180.0 <= west <= east <= 180.0 and -90.0 <= south <= north <= 90.0:
            return
    if not np.isfinite(coordinates).all():
        raise BadInput(f"{label}: coordinates must be finite numbers")
    if srid == STORAGE_SRID:
        west, south, east, north = (-180.0, -90.0, 180.0, 90.0)
        lon, lat = coordinates[:, 0], coordinates[:, 1]
    else:
        if _looks_like_degrees(coordinates) and _origin_outside_area_of_use(srid):
            raise BadInput(
                f"{label}: the coordinates look like longitude/latitude degrees, not positions in EPSG:{srid} "
                f"({crs_for(srid).name}); omit `srid` for lon/lat"
            )
        west, south, east, north = crs_lonlat_bounds(crs_for(srid))
        lon, lat = transformer(srid, STORAGE_SRID).transform(coordinates[:, 0], coordinates[:, 1], errcheck=False)
        lon, lat = np.asarray(lon), np.asarray(lat)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(lon) & np.isfinite(lat) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    if not inside.all():
        index = int(np.flatnonzero(~inside)[0])
        x, y = coordinates[index]
        if srid == STORAGE_SRID:
            raise BadInput(
                f"{label}: ({x:.6g}, {y:.6g}) is not a longitude/latitude pair; "
                "give the SRID of projected coordinates with `srid`"
            )
        raise BadInput(f"{label}: ({x:.6g}, {y:.6g}) cannot be a position in EPSG:{srid} ({crs_for(srid).name})")


def _looks_like_degrees(coordinates: np.ndarray) -> bool:
    return bool((np.abs(coordinates[:, 0]) <= 180).all() and (np.abs(coordinates[:, 1]) <= 90).all())


@lru_cache(maxsize=64)
def _origin_outside_area_of_use(srid: int) -> bool:
    """True for a projected CRS (Lambert with false origin, UTM) that never reaches its own (0, 0)."""
    crs = crs_for(srid)
    if not crs.is_projected or crs.area_of_use is None:
        return False
    area = crs.area_of_use
    west, south, east, north = area.west, area.south, area.east, area.north
    lon, lat = transformer(srid, STORAGE_SRID).transform(0.0, 0.0, errcheck=False)
    return not (math.isfinite(lon) and math.isfinite(lat) and west <= lon <= east and south <= lat <= north)


def _srid_of_geojson_crs(value: dict[str, Any], *, label: str) -> int | None:
    crs = value.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    match = _CRS_NAME.search(name) if isinstance(name, str) else None
    if match is None:
        raise BadInput(f"{label}: the `crs` member must name an EPSG code, e.g. 'EPSG:26191'")
    return int(match.group(1))


def geometry_from_input(*, value: Any, srid: int | None = None, label: str = "geometry") -> shapely.Geometry:
    """Parse a GeoJSON geometry/Feature (dict or JSON text) or a WKT/EWKT string; returns it in EPSG:4326."""
    declared: int | None = None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError as error:
                raise BadInput(f"{label}: malformed GeoJSON text ({error})") from error
        else:
            match = _EWKT_PREFIX.match(text)
            if match:
                declared, text = int(match.group(1)), match.group(2)
            try:
                geometry = shapely.from_wkt(text)
            except shapely.errors.ShapelyError as error:
                raise BadInput(f"{label}: malformed WKT ({error})") from error
    if isinstance(value, dict):
        if value.get("type") == "Feature":
            value = value.get("geometry")
            if not isinstance(value, dict):
                raise BadInput(f"{label}: the Feature has no geometry")
        if value.get("type") not in _GEOJSON_GEOMETRY_TYPES:
            raise BadInput(
                f"{label}: malformed GeoJSON, `type` must be one of {', '.join(sorted(_GEOJSON_GEOMETRY_TYPES))} "
                "or Feature"
            )
        declared = _srid_of_geojson_crs(value, label=label)
        try:
            geometry = shapely.from_geojson(json.dumps({k: v for k, v in value.items() if k != "crs"}))
        except (shapely.errors.ShapelyError, TypeError, ValueError) as error:
            raise BadInput(f"{label}: malformed GeoJSON ({error})") from error
    elif not isinstance(value, str):
        raise BadInput(f"{label}: a GeoJSON object or a WKT string is expected")
    if declared is not None and srid is not None and declared != srid:
        raise BadInput(f"{label}: the geometry declares EPSG:{declared} but `srid` says EPSG:{srid}")
    source_srid = check_srid(declared or srid or STORAGE_SRID)
    if geometry is None or geometry.is_empty:
        raise InvalidGeometry(f"{label}: the geometry is empty")
    if shapely.get_coordinate_dimension(geometry) > 2:
        geometry = shapely.force_2d(geometry)
    _check_in_crs(geometry, srid=source_srid, label=label)
    return transform_geometry(geometry, source_srid=source_srid, target_srid=STORAGE_SRID)


def polygon_from_input(*, value: Any, srid: int | None = None, label: str = "geometry") -> shapely.Geometry:
    """A valid Polygon/MultiPolygon in EPSG:4326; a self-intersecting or non-areal input is a 400, never repaired."""
    geometry = geometry_from_input(value=value, srid=srid, label=label)
    try:
        return parse_user_polygon(geometry)
    except InvalidGeometry as error:
        raise InvalidGeometry(f"{label}: {error}") from error


def point_to_wgs84(*, x: float, y: float, srid: int | None = None) -> shapely.Point:
    if srid in (None, STORAGE_SRID) and -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0:  # lon/lat: nothing to do
        return shapely.Point(x, y)
    source_srid = check_srid(srid or STORAGE_SRID)
    point = shapely.Point(x, y)
    _check_in_crs(point, srid=source_srid, label="point")
    return transform_geometry(point, source_srid=source_srid, target_srid=STORAGE_SRID)


def bbox_to_wgs84(*, bbox: tuple[float, float, float, float], srid: int | None = None) -> shapely.Polygon:
    """The box as a polygon in EPSG:4326; a box in another SRID is densified so its curved edges stay right."""
    west, south, east, north = bbox
    if not (west < east and south < north):
        raise BadInput("bbox: expected minx,miny,maxx,maxy with minx < maxx and miny < maxy")
    source_srid = check_srid(srid or STORAGE_SRID)
    box = shapely.box(west, south, east, north)
    _check_in_crs(box, srid=source_srid, label="bbox")
    if source_srid == STORAGE_SRID:
        return box
    densified = shapely.segmentize(box, max_segment_length=max(east - west, north - south) / 32)
    return transform_geometry(densified, source_srid=source_srid, target_srid=STORAGE_SRID)


def geodesic_area(geometry: shapely.Geometry) -> float:
    """Area in m² on the WGS84 ellipsoid of a lon/lat geometry (0 for points and lines)."""
    if geometry is None or geometry.is_empty:
        return 0.0
    area, _ = WGS84_ELLIPSOID.geometry_area_perimeter(geometry)
    return abs(float(area))


def metric_srid_of(geometry: shapely.Geometry) -> int:
    """The metric SRID suited to a lon/lat geometry, chosen at the centre of its bounding box."""
    west, south, east, north = geometry.bounds
    return metric_srid_for((west + east) / 2, (south + north) / 2)


def to_metric(geometry: shapely.Geometry, *, metric_srid: int) -> shapely.Geometry:
    return transform_geometry(geometry, source_srid=STORAGE_SRID, target_srid=metric_srid)


def degrees_margin(*, metres: float, latitude: float) -> float:
    """A conservative lon/lat margin (degrees) that covers `metres` around a latitude, for index pre-filters."""
    cos_lat = max(math.cos(math.radians(min(abs(latitude), 89.0))), 1e-6)
    return metres / 111_000.0 / cos_lat * 1.5
