-- The lon/lat extent of a geoportal view, from its GiST index: the feature nearest to a point far beyond each side
-- (index order, `<->`) is the one that reaches furthest that way; four index descents instead of a scan of every
-- geometry (ST_Extent over a million parcels: ~2 s). Exact to within a few micro-degrees.
SELECT
    (SELECT ST_XMin(geom) FROM {schema}.{view} ORDER BY geom <-> ST_SetSRID(ST_MakePoint(-1e9, 0), 4326) LIMIT 1),
    (SELECT ST_YMin(geom) FROM {schema}.{view} ORDER BY geom <-> ST_SetSRID(ST_MakePoint(0, -1e9), 4326) LIMIT 1),
    (SELECT ST_XMax(geom) FROM {schema}.{view} ORDER BY geom <-> ST_SetSRID(ST_MakePoint(1e9, 0), 4326) LIMIT 1),
    (SELECT ST_YMax(geom) FROM {schema}.{view} ORDER BY geom <-> ST_SetSRID(ST_MakePoint(0, 1e9), 4326) LIMIT 1)
