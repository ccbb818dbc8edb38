-- Overlays whose effective geometry (buffer included) overlaps the site, with the geodesic area (WGS84 spheroid)
-- of the site inside each. Only the small pieces of the effective geometries (ST_Subdivide, disjoint, covering
-- it) that meet the site are intersected; a piece that covers the whole site gives the site's area directly.
-- Read from the geoportal views.
WITH site AS (
    SELECT ST_GeomFromWKB(%(site)s, 4326) AS geom
), inside AS (
    SELECT
        piece.overlay_id,
        sum(
            CASE WHEN ST_Covers(piece.geom, site.geom) THEN %(site_area_m2)s::double precision
                ELSE ST_Area(ST_Intersection(piece.geom, site.geom)::geography) END
        ) AS area_m2
    FROM geoportal.overlay_pieces AS piece
    CROSS JOIN site
    WHERE piece.geom && site.geom AND ST_Intersects(piece.geom, site.geom)
    GROUP BY piece.overlay_id
)
SELECT
    overlay.id,
    overlay.reference,
    overlay.kind,
    overlay.name,
    overlay.agency_code,
    overlay.agency_name_fr,
    overlay.agency_name_ar,
    inside.area_m2
FROM inside
JOIN geoportal.overlays AS overlay ON overlay.id = inside.overlay_id
