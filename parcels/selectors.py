"""Read-only look-ups for planners and applicants: parcels by reference, land title, point and bbox, and the
zones, overlays and agencies a parcel or a drawn site touches, with the share of its area inside each.

Speed rules (these queries serve the S5 benchmark): every WHERE compares the indexed 4326 columns with a
constant geometry already transformed in Python (`ST_Intersects`/`&&` use the GiST indexes, no per-row
transform), big zone/overlay geometries never leave the database (only their intersection with the site
does), and shares are computed only on the few matched rows. Areas are geodesic (WGS84 ellipsoid, the same
measure as `Parcel.area_m2`), so a share is `geodesic area(site ∩ zone) / geodesic area(site)`.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKB, Intersection
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import QuerySet

from gis_core.models import Territory, TerritoryLevel
from gis_core.problems import BadInput, NotFound
from gis_core.srid import STORAGE_SRID
from parcels.geometry_input import (
    bbox_to_wgs84,
    degrees_margin,
    geodesic_area,
    point_to_wgs84,
    polygon_from_input,
)
from parcels.models import Overlay, OverlayKind, Parcel, PlanStatus, Zone

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


def parcel_by_reference(*, reference: str, commune_code: str | None = None) -> ParcelSummary:
    """The parcel with this reference (unique within a commune); ambiguous without a commune -> BadInput."""
    return parcel_get(parcel_id=_parcel_id_by_reference(reference=reference, commune_code=commune_code))


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


def parcels_by_land_title(*, land_title: str, commune_code: str | None = None) -> list[ParcelSummary]:
    return parcels_search(land_title=land_title, commune_code=commune_code, limit=MAX_PAGE_SIZE).items


def parcels_in_bbox(
    *,
    bbox: tuple[float, float, float, float],
    srid: int | None = None,
    after: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> ParcelPage:
    return parcels_search(bbox=bbox, srid=srid, after=after, limit=limit)


def _check_in_a_commune(geometry: shapely.Geometry, *, what: str) -> None:
    if not Territory.objects.filter(level=TerritoryLevel.COMMUNE, geom__intersects=_geos(geometry)).exists():
        raise OutsideEveryTerritory(f"The {what} is outside every commune known to the platform.")


def parcels_at_point(*, x: float, y: float, srid: int | None = None) -> list[ParcelSummary]:
    """Parcels containing the point (lon/lat, or x/y in `srid`); a point outside every commune is a BadInput."""
    point = point_to_wgs84(x=x, y=y, srid=srid)
    # No ORDER BY in SQL: with LIMIT it could tempt the planner into a primary-key scan; sort the few rows here.
    queryset = Parcel.objects.filter(geom__intersects=_geos(point))
    found = sorted(_summaries(_parcel_rows(queryset)[:MAX_PARCELS_AT_POINT]), key=lambda parcel: parcel.id)
    if not found:  # only then pay for the commune test: a parcel always lies in its commune
        _check_in_a_commune(point, what=f"point ({point.x:.7f}, {point.y:.7f})")
    return found


# --- sites, zones, overlays, agencies ------------------------------------------------------------------------


def _geos(geometry: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=STORAGE_SRID)


def site_of_parcel(*, parcel_id: int) -> Site:
    row = Parcel.objects.filter(pk=parcel_id).annotate(wkb=AsWKB("geom")).values_list("wkb", flat=True).first()
    if row is None:
        raise NotFound(f"There is no parcel with id {parcel_id}.")
    geometry = shapely.from_wkb(bytes(row))
    return Site(geometry=geometry, area_m2=geodesic_area(geometry), parcel_id=parcel_id)


def site_of_parcel_reference(*, reference: str, commune_code: str | None) -> Site:
    return site_of_parcel(parcel_id=_parcel_id_by_reference(reference=reference, commune_code=commune_code))


def site_from_geometry(*, geometry: Any, srid: int | None = None, label: str = "geometry") -> Site:
    """A drawn site (GeoJSON or WKT): a valid polygon that lies, at least partly, in a known commune."""
    polygon = polygon_from_input(value=geometry, srid=srid, label=label)
    _check_in_a_commune(polygon, what=f"{label} polygon")
    return Site(geometry=polygon, area_m2=geodesic_area(polygon))


def _share(overlap_wkb: Any, site: Site) -> tuple[float, float]:
    if overlap_wkb is None or site.area_m2 <= 0:
        return 0.0, 0.0
    area = geodesic_area(shapely.from_wkb(bytes(overlap_wkb)))
    return area, min(area / site.area_m2, 1.0)


def zones_for_site(*, site: Site) -> list[ZoneShare]:
    """Zones of plans in force that overlap the site, largest share first."""
    site_geos = _geos(site.geometry)
    rows = (
        Zone.objects.filter(geom__intersects=site_geos, plan__status=PlanStatus.IN_FORCE)
        .annotate(overlap=AsWKB(Intersection("geom", site_geos)))
        .values(
            "id",
            "plan__name",
            "code",
            "label",
            "max_height_m",
            "max_floors",
            "max_coverage_ratio",
            "max_floor_area_ratio",
            "min_setback_road_m",
            "min_setback_neighbour_m",
            "allowed_uses",
            "forbidden_uses",
            "overlap",
        )
    )
    zones = []
    for row in rows:
        area, share = _share(row["overlap"], site)
        if share < MIN_SHARE:
            continue
        rules = ZoneRules(
            max_height_m=row["max_height_m"],
            max_floors=row["max_floors"],
            max_coverage_ratio=row["max_coverage_ratio"],
            max_floor_area_ratio=row["max_floor_area_ratio"],
            min_setback_road_m=row["min_setback_road_m"],
            min_setback_neighbour_m=row["min_setback_neighbour_m"],
            allowed_uses=tuple(row["allowed_uses"] or ()),
            forbidden_uses=tuple(row["forbidden_uses"] or ()),
        )
        zones.append(ZoneShare(row["id"], row["plan__name"], row["code"], row["label"], area, share, rules))
    zones.sort(key=lambda zone: (-zone.share, zone.plan, zone.code))
    return zones


def overlays_for_site(*, site: Site) -> list[OverlayShare]:
    """Overlays whose effective geometry (buffer included) overlaps the site, by kind then name."""
    site_geos = _geos(site.geometry)
    rows = (
        Overlay.objects.filter(effective_geom__intersects=site_geos)
        .annotate(overlap=AsWKB(Intersection("effective_geom", site_geos)))
        .values(
            "id",
            "reference",
            "kind",
            "name",
            "agency__code",
            "agency__name_fr",
            "agency__name_ar",
            "overlap",
        )
    )
    labels = dict(OverlayKind.choices)
    overlays = []
    for row in rows:
        area, share = _share(row["overlap"], site)
        if share < MIN_SHARE:
            continue
        agency = None
        if row["agency__code"] is not None:
            agency = AgencyRef(row["agency__code"], row["agency__name_fr"], row["agency__name_ar"])
        kind = row["kind"]
        overlays.append(
            OverlayShare(
                row["id"], row["reference"], kind, str(labels.get(kind, kind)), row["name"], area, share, agency
            )
        )
    overlays.sort(key=lambda overlay: (overlay.kind, overlay.name, overlay.id))
    return overlays


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
    box = shapely.box(west - margin, south - margin, east + margin, north + margin)
    queryset = Parcel.objects.filter(geom__bboverlaps=_geos(box))
    if site.parcel_id is not None:
        queryset = queryset.exclude(pk=site.parcel_id)
    rows = queryset.annotate(wkb=AsWKB("geom")).values_list("wkb", flat=True)[:MAX_PAGE_SIZE]
    return [shapely.from_wkb(bytes(wkb)) for wkb in rows]
