-- Zones of plans in force that overlap the site, with the geodesic area (WGS84 spheroid) of the site inside each.
-- Only the small pieces of the zones (ST_Subdivide, disjoint, covering each zone) that meet the site are
-- intersected; a piece that covers the whole site gives the site's area without any intersection.
WITH site AS (
    SELECT ST_GeomFromWKB(%(site)s, 4326) AS geom
), inside AS (
    SELECT
        piece.zone_id,
        sum(
            CASE WHEN ST_Covers(piece.geom, site.geom) THEN %(site_area_m2)s::double precision
                ELSE ST_Area(ST_Intersection(piece.geom, site.geom)::geography) END
        ) AS area_m2
    FROM {zone_piece} AS piece
    CROSS JOIN site
    WHERE piece.geom && site.geom AND ST_Intersects(piece.geom, site.geom)
    GROUP BY piece.zone_id
)
SELECT
    zone.id,
    plan.name,
    zone.code,
    zone.label,
    zone.max_height_m,
    zone.max_floors,
    zone.max_coverage_ratio,
    zone.max_floor_area_ratio,
    zone.min_setback_road_m,
    zone.min_setback_neighbour_m,
    zone.allowed_uses,
    zone.forbidden_uses,
    inside.area_m2
FROM inside
JOIN {zone} AS zone ON zone.id = inside.zone_id
JOIN {plan} AS plan ON plan.id = zone.plan_id
WHERE plan.status = %(in_force)s
