-- Whether a geometry (WKB, EPSG:4326) meets a commune known to the platform.
SELECT EXISTS (
    SELECT 1
    FROM geoportal.territories AS territory
    WHERE territory.level = 'commune'
      AND ST_Intersects(territory.geom, ST_GeomFromWKB(%(geometry)s, 4326))
)
