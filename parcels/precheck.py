"""The zoning pre-check: a project (footprint, height, floors, gross floor area, use) against the rules of every
zone that covers a significant share of its site, with one verdict per rule and zone.

Measures: areas are geodesic (WGS84 ellipsoid, as the site's area); setbacks are distances in metres in the
metric SRID of the site (`gis_core.srid.metric_srid_for`). The site's boundary is split into neighbour sides
(within `NEIGHBOUR_DISTANCE_M` of another parcel) and road sides (the rest, facing the road or public space);
a setback is the shortest distance from the footprint to those sides.

The rules are a table (`RATIO_AND_SIZE_RULES`), not an if/else chain; the use rule is the one special case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import shapely

from gis_core.problems import BadInput
from gis_core.public_reader import PUBLIC_DATABASE
from parcels.geometry_input import geodesic_area, metric_srid_of, polygon_from_input, to_metric
from parcels.selectors import Site, ZoneRules, ZoneShare, parcel_neighbours, zones_for_site

NEIGHBOUR_DISTANCE_M = 0.5  # a boundary portion this close to another parcel is a neighbour side
SIGNIFICANT_SHARE = 0.01  # zones covering less of the site are listed but not evaluated
DISTANCE_TOLERANCE_M = 0.01  # setbacks are compared to the centimetre
RATIO_TOLERANCE = 1e-6
OUTSIDE_TOLERANCE_M2 = 0.01  # footprint area beyond the site boundary that is still drawing noise
MIN_SIDE_LENGTH_M = 0.001


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_REGULATED = "not_regulated"


@dataclass(frozen=True)
class Project:
    footprint: shapely.Geometry  # EPSG:4326
    height_m: float
    floors: int
    gross_floor_area_m2: float
    use: str


@dataclass(frozen=True)
class Verdict:
    rule: str
    zone_code: str | None
    value: float | str | None
    limit: float | dict[str, list[str]] | None
    unit: str
    status: Status
    message: str


@dataclass(frozen=True)
class Measures:
    """What the project measures on its site, independent of any zone."""

    metric_srid: int
    footprint_area_m2: float
    coverage_ratio: float
    floor_area_ratio: float
    height_m: float
    floors: int
    setback_road_m: float | None  # None when the site has no road side
    setback_neighbour_m: float | None  # None when the site has no neighbour
    road_side_length_m: float
    neighbour_side_length_m: float
    footprint_outside_m2: float


@dataclass(frozen=True)
class EvaluatedZone:
    zone: ZoneShare
    evaluated: bool


@dataclass(frozen=True)
class PrecheckResult:
    site: Site
    measures: Measures
    zones: list[EvaluatedZone]
    checks: list[Verdict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.status != Status.FAIL for check in self.checks)


@dataclass(frozen=True)
class Rule:
    """One numeric rule: the zone attribute holding the limit, the measure, and whether the limit is a max."""

    name: str
    label: str
    limit: Callable[[ZoneRules], float | None]
    measure: Callable[[Measures], float | None]
    unit: str
    maximum: bool
    decimals: int


RATIO_AND_SIZE_RULES = (
    Rule(
        "coverage_ratio",
        "Coverage ratio (CES)",
        lambda r: r.max_coverage_ratio,
        lambda m: m.coverage_ratio,
        "ratio",
        True,
        4,
    ),
    Rule(
        "floor_area_ratio",
        "Floor-area ratio (COS)",
        lambda r: r.max_floor_area_ratio,
        lambda m: m.floor_area_ratio,
        "ratio",
        True,
        4,
    ),
    Rule("height", "Height", lambda r: r.max_height_m, lambda m: m.height_m, "m", True, 2),
    Rule("floors", "Floors", lambda r: r.max_floors, lambda m: m.floors, "floors", True, 0),
    Rule(
        "setback_road",
        "Setback from the road",
        lambda r: r.min_setback_road_m,
        lambda m: m.setback_road_m,
        "m",
        False,
        2,
    ),
    Rule(
        "setback_neighbour",
        "Setback from neighbours",
        lambda r: r.min_setback_neighbour_m,
        lambda m: m.setback_neighbour_m,
        "m",
        False,
        2,
    ),
)
SETBACK_RULES = {"setback_road", "setback_neighbour"}


def project_from_input(
    *, footprint: Any, height_m: float, floors: int, gross_floor_area_m2: float, use: str, srid: int | None = None
) -> Project:
    polygon = polygon_from_input(value=footprint, srid=srid, label="project.footprint")
    if not use.strip():
        raise BadInput("project.use: give the intended use, e.g. 'residential'")
    return Project(polygon, float(height_m), int(floors), float(gross_floor_area_m2), use.strip().lower())


def _linear_parts(geometry: shapely.Geometry) -> shapely.Geometry:
    lines = [
        part
        for part in shapely.get_parts(shapely.line_merge(shapely.MultiLineString(_lines_of(geometry))))
        if part.length > MIN_SIDE_LENGTH_M
    ]
    return shapely.MultiLineString(lines)


def _lines_of(geometry: shapely.Geometry) -> list[shapely.LineString]:
    lines: list[shapely.LineString] = []
    for part in shapely.get_parts(geometry):
        if part.is_empty:
            continue
        if part.geom_type == "LineString":
            lines.append(part)
        elif part.geom_type in ("MultiLineString", "GeometryCollection"):
            lines.extend(_lines_of(part))
    return lines


def site_sides(
    *, site_metric: shapely.Geometry, neighbours_metric: list[shapely.Geometry]
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """(road sides, neighbour sides) of the site's boundary, as MultiLineStrings in the metric SRID.

    A parcel that overlaps half of itself or half of the site is the site itself (a drawn copy), not a neighbour.
    Distances and overlaps are measured for all candidates at once (vectorised GEOS calls).
    """
    boundary = site_metric.boundary
    candidates = np.empty(len(neighbours_metric), dtype=object)
    candidates[:] = neighbours_metric
    candidates = candidates[shapely.distance(candidates, site_metric) <= NEIGHBOUR_DISTANCE_M]
    overlap = shapely.area(shapely.intersection(candidates, site_metric))
    near = candidates[(overlap < 0.5 * shapely.area(candidates)) & (overlap < 0.5 * site_metric.area)]
    if not len(near):
        return _linear_parts(boundary), shapely.MultiLineString()
    neighbour_band = shapely.union_all(near).buffer(NEIGHBOUR_DISTANCE_M)
    return _linear_parts(boundary.difference(neighbour_band)), _linear_parts(boundary.intersection(neighbour_band))


def project_measures(*, site: Site, project: Project, neighbours: list[shapely.Geometry]) -> Measures:
    metric_srid = metric_srid_of(site.geometry)
    site_metric = to_metric(site.geometry, metric_srid=metric_srid)
    footprint_metric = to_metric(project.footprint, metric_srid=metric_srid)
    # One transformation for all neighbours (their coordinates go through pyproj in one array).
    neighbours_metric = list(
        shapely.get_parts(to_metric(shapely.GeometryCollection(neighbours), metric_srid=metric_srid))
    )
    road_sides, neighbour_sides = site_sides(site_metric=site_metric, neighbours_metric=neighbours_metric)
    outside = project.footprint.difference(site.geometry)
    footprint_area = geodesic_area(project.footprint)
    site_area = site.area_m2 or float("nan")
    return Measures(
        metric_srid=metric_srid,
        footprint_area_m2=footprint_area,
        coverage_ratio=footprint_area / site_area,
        floor_area_ratio=project.gross_floor_area_m2 / site_area,
        height_m=project.height_m,
        floors=project.floors,
        setback_road_m=None if road_sides.is_empty else float(footprint_metric.distance(road_sides)),
        setback_neighbour_m=None if neighbour_sides.is_empty else float(footprint_metric.distance(neighbour_sides)),
        road_side_length_m=float(road_sides.length),
        neighbour_side_length_m=float(neighbour_sides.length),
        footprint_outside_m2=geodesic_area(outside),
    )


def _format(value: float, decimals: int, unit: str) -> str:
    text = f"{value:.{decimals}f}"
    return f"{text} {unit}" if unit == "m" else text


def _numeric_verdict(rule: Rule, zone: ZoneShare, measures: Measures) -> Verdict:
    limit = rule.limit(zone.rules)
    value = rule.measure(measures)
    shown = None if value is None else round(float(value), rule.decimals + 2)
    if rule.name in SETBACK_RULES and measures.footprint_outside_m2 > OUTSIDE_TOLERANCE_M2:
        return Verdict(
            rule.name,
            zone.code,
            None,
            limit,
            rule.unit,
            Status.FAIL if limit is not None else Status.NOT_REGULATED,
            f"The footprint extends beyond the site boundary ({measures.footprint_outside_m2:.2f} m² outside).",
        )
    if limit is None:
        return Verdict(
            rule.name,
            zone.code,
            shown,
            None,
            rule.unit,
            Status.NOT_REGULATED,
            f"{rule.label} is not regulated in zone {zone.code}.",
        )
    if value is None:
        side = "road or public space" if rule.name == "setback_road" else "neighbouring parcel"
        return Verdict(
            rule.name,
            zone.code,
            None,
            limit,
            rule.unit,
            Status.PASS,
            f"The site has no side on a {side}; the rule does not apply.",
        )
    tolerance = DISTANCE_TOLERANCE_M if rule.unit == "m" else RATIO_TOLERANCE
    if rule.maximum:
        ok = value <= limit + tolerance
        relation = "is within the maximum" if ok else "exceeds the maximum"
    else:
        ok = value >= limit - tolerance
        relation = "meets the minimum" if ok else "is less than the minimum"
    shown_value, shown_limit = _format(value, rule.decimals, rule.unit), _format(limit, rule.decimals, rule.unit)
    message = f"{rule.label} {shown_value} {relation} {shown_limit}."
    return Verdict(rule.name, zone.code, shown, limit, rule.unit, Status.PASS if ok else Status.FAIL, message)


def _use_verdict(zone: ZoneShare, use: str) -> Verdict:
    allowed = [item.lower() for item in zone.rules.allowed_uses]
    forbidden = [item.lower() for item in zone.rules.forbidden_uses]
    limit = {"allowed": list(zone.rules.allowed_uses), "forbidden": list(zone.rules.forbidden_uses)}
    if use in forbidden:
        return Verdict(
            "use", zone.code, use, limit, "use", Status.FAIL, f"Use '{use}' is forbidden in zone {zone.code}."
        )
    if allowed and use not in allowed:
        return Verdict(
            "use",
            zone.code,
            use,
            limit,
            "use",
            Status.FAIL,
            f"Use '{use}' is not among the uses allowed in zone {zone.code}: {', '.join(allowed)}.",
        )
    if not allowed and not forbidden:
        return Verdict(
            "use", zone.code, use, limit, "use", Status.NOT_REGULATED, f"Uses are not regulated in zone {zone.code}."
        )
    return Verdict("use", zone.code, use, limit, "use", Status.PASS, f"Use '{use}' is allowed in zone {zone.code}.")


def _footprint_verdict(measures: Measures) -> Verdict:
    outside = measures.footprint_outside_m2
    if outside > OUTSIDE_TOLERANCE_M2:
        return Verdict(
            "footprint_inside_site",
            None,
            round(outside, 2),
            0.0,
            "m²",
            Status.FAIL,
            f"The footprint extends {outside:.2f} m² beyond the site boundary.",
        )
    return Verdict("footprint_inside_site", None, 0.0, 0.0, "m²", Status.PASS, "The footprint lies inside the site.")


def zoning_precheck(*, site: Site, project: Project, using: str = PUBLIC_DATABASE) -> PrecheckResult:
    """Verdicts of the project against every zone covering at least `SIGNIFICANT_SHARE` of the site. The zones and
    the neighbours are read through the public read-only connection unless `using` names another (the filing)."""
    zones = zones_for_site(site=site, using=using)
    neighbours = parcel_neighbours(site=site, within_m=NEIGHBOUR_DISTANCE_M, using=using)
    measures = project_measures(site=site, project=project, neighbours=neighbours)
    evaluated = [EvaluatedZone(zone, zone.share >= SIGNIFICANT_SHARE) for zone in zones]
    checks = [_footprint_verdict(measures)]
    for item in evaluated:
        if not item.evaluated:
            continue
        checks.extend(_numeric_verdict(rule, item.zone, measures) for rule in RATIO_AND_SIZE_RULES)
        checks.append(_use_verdict(item.zone, project.use))
    if not any(item.evaluated for item in evaluated):
        checks.append(
            Verdict(
                "zoning",
                None,
                None,
                None,
                "",
                Status.NOT_REGULATED,
                "No zone of a plan in force covers the site; no zoning rule applies.",
            )
        )
    return PrecheckResult(site=site, measures=measures, zones=evaluated, checks=checks)
