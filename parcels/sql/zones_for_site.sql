-- Zones of plans in force that overlap the site, with the geodesic area (WGS84 spheroid) of the site inside each.
-- Only the small pieces of the zones (ST_Subdivide, disjoint, covering each zone) that meet the site are
-- intersected; a piece that covers the whole site gives the site's area without any intersection. Read from the
-- geoportal views, which hold the zones of plans in force only (uses as `;`-separated text).
WITH site AS (
    SELECT ST_GeomFromWKB(%(site)s, 4326) AS geom
), inside AS (
    SELECT
        piece.zone_id,
        sum(
            CASE WHEN ST_Covers(piece.geom, site.geom) THEN %(site_area_m2)s::double precision
                ELSE ST_Area(ST_Intersection(piece.geom, site.geom)::geography) END
        ) AS area_m2
    FROM geoportal.zone_pieces AS piece
    CROSS JOIN site
    WHERE piece.geom && site.geom AND ST_Intersects(piece.geom, site.geom)
    GROUP BY piece.zone_id
)
SELECT
    zone.id,
    zone.plan,
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
JOIN geoportal.zones AS zone ON zone.id = inside.zone_id
