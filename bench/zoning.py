"""Synthetic zoning and overlays for the benchmarks: polygons of 1k-50k vertices over the generated parcels.

Zones are the Voronoi cells of random seeds over the parcels' extent, clipped to the commune, so they tile the
town without overlapping; overlays are heritage sites, flood corridors, road-widening strips, utility corridors
and an airport servitude. Boundaries are densified to a log-uniform target of vertices between `min_vertices`
and `max_vertices`, as real plans digitised along lot lines are. Rows go in by COPY.
"""

from __future__ import annotations

import io

import numpy as np
import shapely
from django.db import connection, transaction
from pyproj import Geod

from gis_core.models import Territory
from parcels.models import Agency, OverlayKind, ZoningPlan

PLAN_NAME = "Plan d'aménagement synthétique (bench)"
ZONE_TEMPLATES = (
    # code prefix, label, height, floors, CES, COS, setback road, setback neighbour, allowed, forbidden
    ("R1", "Habitat individuel", 9.0, 2, 0.6, 1.2, 4.0, 3.0, "{residential}", "{industrial,commercial}"),
    ("R3", "Habitat économique", 12.0, 3, 0.8, 2.4, 0.0, 0.0, "{residential,commercial}", "{industrial}"),
    ("R5", "Immeubles", 18.0, 5, 0.6, 3.0, 5.0, 4.0, "{residential,office,commercial}", "{industrial}"),
    ("V", "Villas", 8.5, 2, 0.3, 0.5, 5.0, 5.0, "{residential}", "{commercial,industrial}"),
    ("E", "Équipements", 15.0, 4, 0.5, 1.5, 5.0, 5.0, "{public}", "{industrial}"),
    ("I", "Activités", 14.0, 2, 0.7, 1.4, 6.0, 4.0, "{industrial,office}", "{residential}"),
)
AGENCIES = (
    ("MCULT", "Ministère de la Culture", OverlayKind.HERITAGE),
    ("ABH", "Agence du bassin hydraulique du Bouregreg et de la Chaouia", OverlayKind.FLOOD_RISK),
    ("ONDA", "Office national des aéroports", OverlayKind.AIRPORT),
    ("METL", "Ministère de l'Équipement", OverlayKind.ROAD_WIDENING),
    ("ONEE", "Office national de l'électricité et de l'eau potable", OverlayKind.UTILITY_CORRIDOR),
)
METRES_PER_DEGREE = 111_320.0


def _densify(geometries: np.ndarray, rng: np.random.Generator, min_vertices: int, max_vertices: int) -> np.ndarray:
    targets = np.exp(rng.uniform(np.log(min_vertices), np.log(max_vertices), len(geometries)))
    spacing = shapely.length(geometries) / targets
    return np.array(
        [shapely.segmentize(geometry, max(step, 1e-9)) for geometry, step in zip(geometries, spacing, strict=True)]
    )


def _multipolygon(geometry: shapely.Geometry) -> shapely.Geometry | None:
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon" and part.area > 0]
    return shapely.MultiPolygon(parts) if parts else None


def _hex(geometry: shapely.Geometry) -> str:
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return shapely.to_wkb(shapely.set_srid(geometry, 4326), hex=True, include_srid=True)


def _geodesic_area(geometry: shapely.Geometry) -> float:
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(geometry)[0])


def refresh_pieces(plan: ZoningPlan, commune: Territory) -> None:
    """Cut the new zones and overlays into the small pieces the look-ups use, when the project keeps them."""
    try:
        from parcels.importers.pieces import overlay_pieces_refresh, zone_pieces_refresh
    except ImportError:  # a version of the project without derived pieces
        return
    zone_pieces_refresh(zone_ids=list(plan.zones.values_list("id", flat=True)))
    overlay_pieces_refresh(overlay_ids=list(commune.overlays.values_list("id", flat=True)))


@transaction.atomic
def zoning_generate(
    *, commune: Territory, zones: int, overlays: int, seed: int, min_vertices: int, max_vertices: int
) -> dict[str, int]:
    """Replace the bench plan's zones and the commune's overlays with synthetic ones; returns counts and vertices."""
    rng = np.random.default_rng([seed, 7])
    commune_geometry = shapely.make_valid(shapely.from_wkb(bytes(commune.geom.wkb)))
    with connection.cursor() as cursor:
        cursor.execute('SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent("geom") AS e '
                       'FROM "parcels_parcel" WHERE "commune_id" = %s) AS extent', [commune.pk])  # fmt: skip
        west, south, east, north = cursor.fetchone()
    if west is None:
        west, south, east, north = shapely.bounds(commune_geometry)
    extent = shapely.box(west, south, east, north)
    area = shapely.intersection(extent, commune_geometry)

    plan, _ = ZoningPlan.objects.get_or_create(name=PLAN_NAME)
    plan.communes.add(commune)
    plan.zones.all().delete()
    commune.overlays.all().delete()

    seeds = shapely.points(rng.uniform(west, east, zones), rng.uniform(south, north, zones))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=extent))
    cells = shapely.intersection(cells, area)
    cells = [cell for cell in (_multipolygon(cell) for cell in cells) if cell is not None]
    cells_array = _densify(np.array(cells, dtype=object), rng, min_vertices, max_vertices)
    zone_rows = io.StringIO()
    for index, cell in enumerate(cells_array):
        template = ZONE_TEMPLATES[int(rng.integers(len(ZONE_TEMPLATES)))]
        code, label, height, floors, ces, cos, road, neighbour, allowed, forbidden = template
        zone_rows.write(
            f"{plan.pk}\t{commune.pk}\t{code}-{index + 1}\t{label}\t{height}\t{floors}\t{ces}\t{cos}\t{road}\t"
            f"{neighbour}\t{allowed}\t{forbidden}\t{_hex(cell)}\t{_geodesic_area(cell)}\n"
        )

    agencies = {}
    for code, name, kind in AGENCIES:
        agencies[kind], _ = Agency.objects.get_or_create(code=code, defaults={"name_fr": name})
    kinds = [OverlayKind.HERITAGE, OverlayKind.FLOOD_RISK, OverlayKind.ROAD_WIDENING, OverlayKind.UTILITY_CORRIDOR]
    shares = [0.45, 0.15, 0.25, 0.15]
    overlay_rows = io.StringIO()
    overlay_vertices = 0
    kind_of = rng.choice(len(kinds), size=overlays, p=shares)
    for index in range(overlays):
        kind = OverlayKind.AIRPORT if index == 0 else kinds[int(kind_of[index])]
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        metres = 1 / METRES_PER_DEGREE
        if kind == OverlayKind.AIRPORT:
            shape = shapely.Point(x, y).buffer(3_000 * metres)
        elif kind == OverlayKind.HERITAGE:
            shape = shapely.Point(x, y).buffer(rng.uniform(50, 400) * metres)
        else:
            steps = rng.normal(0, 400 * metres, (8, 2)).cumsum(axis=0) + np.array([x, y])
            width = {OverlayKind.FLOOD_RISK: (60, 300), OverlayKind.ROAD_WIDENING: (8, 20)}.get(kind, (15, 40))
            shape = shapely.LineString(steps).buffer(rng.uniform(*width) * metres)
        shape = _multipolygon(shapely.intersection(shape, commune_geometry))
        if shape is None:
            continue
        shape = _densify(np.array([shape], dtype=object), rng, min_vertices, max_vertices)[0]
        overlay_vertices += shapely.get_num_coordinates(shape)
        geometry = _hex(shape)
        agency = agencies[kind]
        overlay_rows.write(
            f"{commune.pk}\tBENCH-OV-{index + 1}\t{kind}\t{kind.label} {index + 1}\t{agency.pk}\t0\t{geometry}\t"
            f"{geometry}\t{{}}\n"
        )

    with connection.cursor() as cursor:
        with cursor.copy(
            'COPY "parcels_zone" ("plan_id", "commune_id", "code", "label", "max_height_m", "max_floors", '
            '"max_coverage_ratio", "max_floor_area_ratio", "min_setback_road_m", "min_setback_neighbour_m", '
            '"allowed_uses", "forbidden_uses", "geom", "area_m2") FROM STDIN'
        ) as copy:
            copy.write(zone_rows.getvalue().encode())
        with cursor.copy(
            'COPY "parcels_overlay" ("commune_id", "reference", "kind", "name", "agency_id", "buffer_m", "geom", '
            '"effective_geom", "attributes") FROM STDIN'
        ) as copy:
            copy.write(overlay_rows.getvalue().encode())
    refresh_pieces(plan, commune)
    return {
        "zones": len(cells_array),
        "zone_vertices": int(shapely.get_num_coordinates(cells_array).sum()),
        "overlays": overlay_rows.getvalue().count("\n"),
        "overlay_vertices": int(overlay_vertices),
    }
