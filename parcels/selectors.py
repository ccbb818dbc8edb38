"""Read-only look-ups for planners and applicants: parcels by reference, land title, point and bbox, and the
zones, overlays and agencies a parcel or a drawn site touches, with the share of its area inside each.

Speed rules (these queries answer the public API's most frequent requests): every WHERE compares the indexed 4326
columns with a constant geometry already transformed in Python (`ST_Intersects`/`&&` use the GiST indexes, no per-row
transform); big zone/overlay geometries are never intersected whole: their pieces (`ZonePiece`, `OverlayPiece`, at most
256 vertices each) near the site are, and a piece covering the whole site costs no intersection; the hot look-ups
(parcel at a point, a parcel's site and neighbours, zones and overlays of a site) are one SQL file each
(`parcels/sql/`), run with bound parameters without building an ORM query. Areas are geodesic (WGS84 ellipsoid, the same
measure as `Parcel.area_m2`), so a share is `geodesic area(site ∩ zone) / geodesic area(site)`.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import QuerySet

from gis_core.models import Territory, TerritoryLevel
from gis_core.problems import BadInput, NotFound
from gis_core.sql_files import sql_statement
from gis_core.srid import STORAGE_SRID
from parcels.geometry_input import (
    bbox_to_wgs84,
    degrees_margin,
    geodesic_area,
    point_to_wgs84,
    polygon_from_input,
)
from parcels.models import (
    Agency,
    Overlay,
    OverlayKind,
    OverlayPiece,
    Parcel,
    PlanStatus,
    Zone,
    ZonePiece,
    ZoningPlan,
)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PARCELS_AT_POINT = 50
# A share below one part per million is a boundary contact (or floating-point noise), not an overlap.
MIN_SHARE = 1e-6
COORDINATE_PRECISION = 7  # decimal places of lon/lat in GeoJSON output (~1 cm)

_PARCEL_FIELDS = (
    "id",
    "reference",
    "land_title",
    "official_area_m2",
    "area_m2",
    "commune__code",
    "commune__name_fr",
    "commune__name_ar",
    "geojson",
)


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


def _parcel_rows(queryset: QuerySet[Parcel]) -> QuerySet[Parcel, dict[str, Any]]:
    return queryset.annotate(geojson=AsGeoJSON("geom", precision=COORDINATE_PRECISION)).values(*_PARCEL_FIELDS)


def _summaries(rows: Iterable[dict[str, Any]]) -> list[ParcelSummary]:
    return [
        ParcelSummary(
            id=row["id"],
            reference=row["reference"],
            land_title=row["land_title"],
            commune=CommuneRef(row["commune__code"], row["commune__name_fr"], row["commune__name_ar"]),
            official_area_m2=row["official_area_m2"],
            area_m2=row["area_m2"],
            geometry=json.loads(row["geojson"]),
        )
        for row in rows
    ]


def parcel_get(*, parcel_id: int) -> ParcelSummary:
    found = _summaries(_parcel_rows(Parcel.objects.filter(pk=parcel_id)))
    if not found:
        raise NotFound(f"There is no parcel with id {parcel_id}.")
    return found[0]


def _parcel_id_by_reference(*, reference: str, commune_code: str | None) -> int:
    queryset = Parcel.objects.filter(reference=reference)
    if commune_code:
        queryset = queryset.filter(commune__code=commune_code)
    ids = list(queryset.order_by("id").values_list("id", flat=True)[:2])
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
) -> ParcelPage:
    """Parcels matching every given filter, ordered by id and paged by key (`after` = last id seen)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise BadInput(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    queryset = Parcel.objects.all()
    if reference:
        queryset = queryset.filter(reference=reference)
    if commune_code:
        queryset = queryset.filter(commune__code=commune_code)
    if land_title:
        queryset = queryset.filter(land_title=land_title)
    if bbox is not None:
        box = bbox_to_wgs84(bbox=bbox, srid=srid)
        queryset = queryset.filter(geom__intersects=_geos(box))
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    items = _summaries(_parcel_rows(queryset.order_by("id"))[: limit + 1])
    if len(items) > limit:
        return ParcelPage(items[:limit], items[limit - 1].id)
    return ParcelPage(items, None)


def _check_in_a_commune(geometry: shapely.Geometry, *, what: str) -> None:
    if not Territory.objects.filter(level=TerritoryLevel.COMMUNE, geom__intersects=_geos(geometry)).exists():
        raise OutsideEveryTerritory(f"The {what} is outside every commune known to the platform.")


def parcels_at_point(*, x: float, y: float, srid: int | None = None) -> list[ParcelSummary]:
    """Parcels containing the point (lon/lat, or x/y in `srid`); a point outside every commune is a BadInput."""
    point = point_to_wgs84(x=x, y=y, srid=srid)
    rows = _fetch(
        "parcels_at_point",
        {"x": point.x, "y": point.y, "precision": COORDINATE_PRECISION, "limit": MAX_PARCELS_AT_POINT},
    )
    found = sorted((_summary_of_row(row) for row in rows), key=lambda parcel: parcel.id)
    if not found:  # only then pay for the commune test: a parcel always lies in its commune
        _check_in_a_commune(point, what=f"point ({point.x:.7f}, {point.y:.7f})")
    return found


def _summary_of_row(row: tuple[Any, ...]) -> ParcelSummary:
    """A `ParcelSummary` from a row of `parcels_at_point.sql`."""
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
    """The text of `parcels/sql/<name>.sql` with its table names quoted, composed once per process."""
    tables = {
        "parcel": Parcel._meta.db_table,
        "territory": Territory._meta.db_table,
        "zone": Zone._meta.db_table,
        "zone_piece": ZonePiece._meta.db_table,
        "plan": ZoningPlan._meta.db_table,
        "overlay": Overlay._meta.db_table,
        "overlay_piece": OverlayPiece._meta.db_table,
        "agency": Agency._meta.db_table,
    }
    return sql_statement("parcels", name, **tables).as_string(None)


def _fetch(name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Rows of `parcels/sql/<name>.sql` run with bound parameters on Django's connection (queries are logged)."""
    with connection.cursor() as cursor:
        cursor.execute(_statement(name), params)
        return cursor.fetchall()


# --- sites, zones, overlays, agencies ------------------------------------------------------------------------


def _geos(geometry: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=STORAGE_SRID)


def site_of_parcel(*, parcel_id: int) -> Site:
    rows = _fetch("parcel_site", {"parcel_id": parcel_id})
    if not rows:
        raise NotFound(f"There is no parcel with id {parcel_id}.")
    geometry = shapely.from_wkb(rows[0][0])
    return Site(geometry=geometry, area_m2=geodesic_area(geometry), parcel_id=parcel_id)


def site_of_parcel_reference(*, reference: str, commune_code: str | None) -> Site:
    return site_of_parcel(parcel_id=_parcel_id_by_reference(reference=reference, commune_code=commune_code))


def site_from_geometry(*, geometry: Any, srid: int | None = None, label: str = "geometry") -> Site:
    """A drawn site (GeoJSON or WKT): a valid polygon that lies, at least partly, in a known commune."""
    polygon = polygon_from_input(value=geometry, srid=srid, label=label)
    _check_in_a_commune(polygon, what=f"{label} polygon")
    return Site(geometry=polygon, area_m2=geodesic_area(polygon))


def _site_parameters(site: Site) -> dict[str, Any]:
    return {"site": shapely.to_wkb(site.geometry), "site_area_m2": site.area_m2}


def _share(area_m2: float | None, site: Site) -> tuple[float, float]:
    if area_m2 is None or site.area_m2 <= 0:
        return 0.0, 0.0
    area = float(area_m2)
    return area, min(area / site.area_m2, 1.0)


def zones_for_site(*, site: Site) -> list[ZoneShare]:
    """Zones of plans in force that overlap the site, largest share first."""
    rows = _fetch("zones_for_site", {**_site_parameters(site), "in_force": PlanStatus.IN_FORCE.value})
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
            allowed_uses=tuple(allowed_uses or ()),
            forbidden_uses=tuple(forbidden_uses or ()),
        )
        zones.append(ZoneShare(zone_id, plan, code, label, area, share, rules))
    zones.sort(key=lambda zone: (-zone.share, zone.plan, zone.code))
    return zones


def overlays_for_site(*, site: Site) -> list[OverlayShare]:
    """Overlays whose effective geometry (buffer included) overlaps the site, by kind then name."""
    rows = _fetch("overlays_for_site", _site_parameters(site))
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


def constraints_for_site(*, site: Site) -> SiteConstraints:
    overlays = overlays_for_site(site=site)
    return SiteConstraints(site, zones_for_site(site=site), overlays, agencies_for_overlays(overlays))


def constraints_for_parcel(*, parcel_id: int) -> SiteConstraints:
    return constraints_for_site(site=site_of_parcel(parcel_id=parcel_id))


def constraints_for_geometry(*, geometry: Any, srid: int | None = None) -> SiteConstraints:
    return constraints_for_site(site=site_from_geometry(geometry=geometry, srid=srid))


def parcel_neighbours(*, site: Site, within_m: float) -> list[shapely.Geometry]:
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
    )
    return list(shapely.from_wkb([row[0] for row in rows]))
