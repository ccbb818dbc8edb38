"""Read-only look-ups for planners and applicants: parcels by reference, land title, point and bbox, and the
zones, overlays and agencies a parcel or a drawn site touches, with the share of its area inside each.

Speed rules (these queries answer the public API's most frequent requests): every WHERE compares the indexed 4326
columns with a constant geometry already transformed in Python (`ST_Intersects`/`&&` use the GiST indexes, no per-row
transform); big zone/overlay geometries are never intersected whole: their pieces (`ZonePiece`, `OverlayPiece`, at most
256 vertices each) near the site are, and a piece covering the whole site costs no intersection; the hot look-ups
(parcel at a point, a parcel's site and neighbours, zones and overlays of a site) are one SQL file each
(`parcels/sql/`), run with bound parameters without building an ORM query. Areas are geodesic (WGS84 ellipsoid, the same
measure as `Parcel.area_m2`), so a share is `geodesic area(site ∩ zone) / geodesic area(site)`.

They are public reads: every one reads the `geoportal` views (parcels, territories, zones and overlays of plans in
force, their pieces: public columns only, the GiST indexes of their tables) through the read-only connection
`PUBLIC_DATABASE` (role `geoportal_reader`, autocommit, a statement timeout) unless the caller names another
`using`: the domain's filing reads the same views inside its own transaction (`using="default"`).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import shapely
from django.db import connections
from psycopg import sql

from gis_core.problems import BadInput, NotFound
from gis_core.public_reader import PUBLIC_DATABASE
from gis_core.sql_files import sql_statement, sql_text
from parcels.geometry_input import (
    bbox_to_wgs84,
    degrees_margin,
    geodesic_area,
    point_to_wgs84,
    polygon_from_input,
)
from parcels.models import OverlayKind

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PARCELS_AT_POINT = 50
# A share below one part per million is a boundary contact (or floating-point noise), not an overlap.
MIN_SHARE = 1e-6
COORDINATE_PRECISION = 7  # decimal places of lon/lat in GeoJSON output (~1 cm)


class OutsideEveryTerritory(BadInput):
    title = "Outside every territory"


@dataclass(frozen=True)
class CommuneRef:
    code: str
    name_fr: str
    name_ar: str


@dataclass(frozen=True)
class ParcelSummary:
    """A parcel's public attributes (no personal data) and its geometry as a GeoJSON dict in lon/lat."""

    id: int
    reference: str
    land_title: str
    commune: CommuneRef
    official_area_m2: float | None
    area_m2: float
    geometry: dict[str, Any]


@dataclass(frozen=True)
class ParcelPage:
    items: list[ParcelSummary]
    next_after: int | None  # the `after` cursor of the next page, None on the last page


@dataclass(frozen=True)
class ParcelsExtent:
    box: tuple[float, float, float, float] | None  # west, south, east, north; None without parcels
    first_commune_code: str | None  # the commune of the first parcel loaded


@dataclass(frozen=True)
class Site:
    """The ground a look-up or a pre-check is about: a stored parcel or a drawn polygon, in EPSG:4326."""

    geometry: shapely.Geometry
    area_m2: float
    parcel_id: int | None = None


@dataclass(frozen=True)
class ZoneRules:
    max_height_m: float | None
    max_floors: int | None
    max_coverage_ratio: float | None
    max_floor_area_ratio: float | None
    min_setback_road_m: float | None
    min_setback_neighbour_m: float | None
    allowed_uses: tuple[str, ...]
    forbidden_uses: tuple[str, ...]


@dataclass(frozen=True)
class ZoneShare:
    id: int
    plan: str
    code: str
    label: str
    area_m2: float  # of the site inside the zone
    share: float  # of the site's area, 0..1
    rules: ZoneRules


@dataclass(frozen=True)
class AgencyRef:
    code: str
    name_fr: str
    name_ar: str


@dataclass(frozen=True)
class OverlayShare:
    id: int
    reference: str
    kind: str
    kind_label: str
    name: str
    area_m2: float
    share: float
    agency: AgencyRef | None


@dataclass(frozen=True)
class SiteConstraints:
    site: Site
    zones: list[ZoneShare]
    overlays: list[OverlayShare]
    agencies: list[AgencyRef]


# --- parcels -------------------------------------------------------------------------------------------------


def parcel_get(*, parcel_id: int, using: str = PUBLIC_DATABASE) -> ParcelSummary:
    found = _parcels_where([sql.SQL("parcel.id = %(parcel_id)s")], {"parcel_id": parcel_id}, limit=1, using=using)
    if not found:
        raise NotFound(f"There is no parcel with id {parcel_id}.")
    return found[0]


def _parcel_id_by_reference(*, reference: str, commune_code: str | None, using: str) -> int:
    rows = _fetch("parcel_ids_by_reference", {"reference": reference, "commune_code": commune_code}, using=using)
    ids = [row[0] for row in rows]
    where = f" in commune {commune_code}" if commune_code else ""
    if not ids:
        raise NotFound(f"There is no parcel with reference {reference!r}{where}.")
    if len(ids) > 1:
        raise BadInput(f"The reference {reference!r} exists in several communes; give the commune code.")
    return ids[0]


def parcels_search(
    *,
    reference: str | None = None,
    commune_code: str | None = None,
    land_title: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    srid: int | None = None,
    after: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    using: str = PUBLIC_DATABASE,
) -> ParcelPage:
    """Parcels matching every given filter, ordered by id and paged by key (`after` = last id seen)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise BadInput(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    conditions: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    if reference:
        conditions.append(sql.SQL("parcel.reference = %(reference)s"))
        params["reference"] = reference
    if commune_code:
        conditions.append(sql.SQL("parcel.commune_code = %(commune_code)s"))
        params["commune_code"] = commune_code
    if land_title:
        conditions.append(sql.SQL("parcel.land_title = %(land_title)s"))
        params["land_title"] = land_title
    if bbox is not None:
        box = bbox_to_wgs84(bbox=bbox, srid=srid)
        conditions.append(sql.SQL("ST_Intersects(parcel.geom, ST_GeomFromWKB(%(box)s, 4326))"))
        params["box"] = shapely.to_wkb(box)
    if after is not None:
        conditions.append(sql.SQL("parcel.id > %(after)s"))
        params["after"] = after
    items = _parcels_where(conditions, params, limit=limit + 1, using=using)
    if len(items) > limit:
        return ParcelPage(items[:limit], items[limit - 1].id)
    return ParcelPage(items, None)


def _parcels_where(
    conditions: list[sql.Composable], params: dict[str, Any], *, limit: int, using: str
) -> list[ParcelSummary]:
    """The parcels matching every condition (fixed SQL, values bound), by id (`parcels_search.sql`)."""
    statement = sql_statement("parcels", "parcels_search", conditions=sql.SQL(" AND ").join(conditions))
    with connections[using].cursor() as cursor:
        cursor.execute(statement.as_string(None), {**params, "precision": COORDINATE_PRECISION, "limit": limit})
        return [_summary_of_row(row) for row in cursor.fetchall()]


def parcels_extent(*, commune_code: str | None = None, using: str = PUBLIC_DATABASE) -> ParcelsExtent:
    """The lon/lat box of the parcels (of one commune), and the commune of the first parcel loaded."""
    row = _fetch("parcels_extent", {"commune_code": commune_code}, using=using)[0]
    box = None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
    return ParcelsExtent(box, row[4])


def _check_in_a_commune(geometry: shapely.Geometry, *, what: str, using: str) -> None:
    if not _fetch("commune_intersects", {"geometry": shapely.to_wkb(geometry)}, using=using)[0][0]:
        raise OutsideEveryTerritory(f"The {what} is outside every commune known to the platform.")


def parcels_at_point(
    *, x: float, y: float, srid: int | None = None, using: str = PUBLIC_DATABASE
) -> list[ParcelSummary]:
    """Parcels containing the point (lon/lat, or x/y in `srid`); none on no parcel, in a commune or outside every
    one (a valid question with no match, as OGC API clients expect: not a client error)."""
    point = point_to_wgs84(x=x, y=y, srid=srid)
    rows = _fetch(
        "parcels_at_point",
        {"x": point.x, "y": point.y, "precision": COORDINATE_PRECISION, "limit": MAX_PARCELS_AT_POINT},
        using=using,
    )
    return sorted((_summary_of_row(row) for row in rows), key=lambda parcel: parcel.id)


def _summary_of_row(row: tuple[Any, ...]) -> ParcelSummary:
    """A `ParcelSummary` from a row of `parcels_at_point.sql` or `parcels_search.sql`."""
    parcel_id, reference, land_title, official_area_m2, area_m2, code, name_fr, name_ar, geojson = row
    return ParcelSummary(
        id=parcel_id,
        reference=reference,
        land_title=land_title,
        commune=CommuneRef(code, name_fr, name_ar),
        official_area_m2=official_area_m2,
        area_m2=area_m2,
        geometry=json.loads(geojson),
    )


# --- raw SQL of the hot look-ups ---------------------------------------------------------------------------


@cache
def _statement(name: str) -> str:
    """The text of `parcels/sql/<name>.sql` (it names the geoportal views itself), read once per process."""
    return sql_text("parcels", name)


def _fetch(name: str, params: dict[str, Any], *, using: str) -> list[tuple[Any, ...]]:
    """Rows of `parcels/sql/<name>.sql` run with bound parameters on the connection `using` (queries are logged)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_statement(name), params)
        return cursor.fetchall()


# --- sites, zones, overlays, agencies ------------------------------------------------------------------------


def site_of_parcel(*, parcel_id: int, using: str = PUBLIC_DATABASE) -> Site:
    rows = _fetch("parcel_site", {"parcel_id": parcel_id}, using=using)
    if not rows:
        raise NotFound(f"There is no parcel with id {parcel_id}.")
    geometry = shapely.from_wkb(rows[0][0])
    return Site(geometry=geometry, area_m2=geodesic_area(geometry), parcel_id=parcel_id)


def site_of_parcel_reference(*, reference: str, commune_code: str | None, using: str = PUBLIC_DATABASE) -> Site:
    parcel_id = _parcel_id_by_reference(reference=reference, commune_code=commune_code, using=using)
    return site_of_parcel(parcel_id=parcel_id, using=using)


def site_from_geometry(
    *, geometry: Any, srid: int | None = None, label: str = "geometry", using: str = PUBLIC_DATABASE
) -> Site:
    """A drawn site (GeoJSON or WKT): a valid polygon that lies, at least partly, in a known commune."""
    polygon = polygon_from_input(value=geometry, srid=srid, label=label)
    _check_in_a_commune(polygon, what=f"{label} polygon", using=using)
    return Site(geometry=polygon, area_m2=geodesic_area(polygon))


def _site_parameters(site: Site) -> dict[str, Any]:
    return {"site": shapely.to_wkb(site.geometry), "site_area_m2": site.area_m2}


def _share(area_m2: float | None, site: Site) -> tuple[float, float]:
    if area_m2 is None or site.area_m2 <= 0:
        return 0.0, 0.0
    area = float(area_m2)
    return area, min(area / site.area_m2, 1.0)


def zones_for_site(*, site: Site, using: str = PUBLIC_DATABASE) -> list[ZoneShare]:
    """Zones of plans in force that overlap the site, largest share first."""
    rows = _fetch("zones_for_site", _site_parameters(site), using=using)
    zones = []
    for row in rows:
        (zone_id, plan, code, label, max_height_m, max_floors, max_coverage_ratio, max_floor_area_ratio,
         min_setback_road_m, min_setback_neighbour_m, allowed_uses, forbidden_uses, area_m2) = row  # fmt: skip
        area, share = _share(area_m2, site)
        if share < MIN_SHARE:
            continue
        rules = ZoneRules(
            max_height_m=max_height_m,
            max_floors=max_floors,
            max_coverage_ratio=max_coverage_ratio,
            max_floor_area_ratio=max_floor_area_ratio,
            min_setback_road_m=min_setback_road_m,
            min_setback_neighbour_m=min_setback_neighbour_m,
            allowed_uses=_uses(allowed_uses),
            forbidden_uses=_uses(forbidden_uses),
        )
        zones.append(ZoneShare(zone_id, plan, code, label, area, share, rules))
    zones.sort(key=lambda zone: (-zone.share, zone.plan, zone.code))
    return zones


def _uses(text: str | None) -> tuple[str, ...]:
    """A zone's uses as the geoportal view publishes them: `;`-separated (the import splits on `;`)."""
    return tuple(text.split(";")) if text else ()


def overlays_for_site(*, site: Site, using: str = PUBLIC_DATABASE) -> list[OverlayShare]:
    """Overlays whose effective geometry (buffer included) overlaps the site, by kind then name."""
    rows = _fetch("overlays_for_site", _site_parameters(site), using=using)
    labels = _overlay_kind_labels()
    overlays = []
    for overlay_id, reference, kind, name, agency_code, agency_name_fr, agency_name_ar, area_m2 in rows:
        area, share = _share(area_m2, site)
        if share < MIN_SHARE:
            continue
        agency = None if agency_code is None else AgencyRef(agency_code, agency_name_fr, agency_name_ar)
        overlays.append(OverlayShare(overlay_id, reference, kind, labels.get(kind, kind), name, area, share, agency))
    overlays.sort(key=lambda overlay: (overlay.kind, overlay.name, overlay.id))
    return overlays


def _overlay_kind_labels() -> dict[str, str]:
    """Kind labels in the active language."""
    return {value: str(label) for value, label in OverlayKind.choices}


def agencies_for_overlays(overlays: Iterable[OverlayShare]) -> list[AgencyRef]:
    distinct = {overlay.agency.code: overlay.agency for overlay in overlays if overlay.agency is not None}
    return sorted(distinct.values(), key=lambda agency: (agency.name_fr, agency.code))


def constraints_for_site(*, site: Site, using: str = PUBLIC_DATABASE) -> SiteConstraints:
    overlays = overlays_for_site(site=site, using=using)
    return SiteConstraints(site, zones_for_site(site=site, using=using), overlays, agencies_for_overlays(overlays))


def constraints_for_parcel(*, parcel_id: int, using: str = PUBLIC_DATABASE) -> SiteConstraints:
    return constraints_for_site(site=site_of_parcel(parcel_id=parcel_id, using=using), using=using)


def constraints_for_geometry(
    *, geometry: Any, srid: int | None = None, using: str = PUBLIC_DATABASE
) -> SiteConstraints:
    return constraints_for_site(site=site_from_geometry(geometry=geometry, srid=srid, using=using), using=using)


def parcel_neighbours(*, site: Site, within_m: float, using: str = PUBLIC_DATABASE) -> list[shapely.Geometry]:
    """Geometries (EPSG:4326) of the other parcels whose bounding box comes within `within_m` of the site.

    A bounding-box pre-filter on the GiST index; the pre-check measures the real distances in metres.
    """
    west, south, east, north = site.geometry.bounds
    margin = degrees_margin(metres=within_m, latitude=(south + north) / 2)
    rows = _fetch(
        "parcel_neighbours",
        {
            "west": west - margin,
            "south": south - margin,
            "east": east + margin,
            "north": north + margin,
            "exclude_id": site.parcel_id or 0,
            "limit": MAX_PAGE_SIZE,
        },
        using=using,
    )
    return list(shapely.from_wkb([row[0] for row in rows]))
