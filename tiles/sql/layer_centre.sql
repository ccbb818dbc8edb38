-- A point on the data where most of a geoportal view's features are (TileJSON `center`), from indexes only.
-- An even sample of the id range (two index descents for its ends, then one primary-key look-up per probe) is
-- grouped in cells of `cell` degrees by the centres of the features' boxes; in the fullest cell, the feature whose
-- box centre is nearest the cell's mean gives its point on surface. A view whose ids the probes miss (sparse
-- ids) falls back to the feature nearest to `x`, `y` (the middle of the bounds), by the GiST index.
WITH id_range AS MATERIALIZED (
    SELECT (SELECT id FROM {schema}.{view} ORDER BY id LIMIT 1) AS low,
           (SELECT id FROM {schema}.{view} ORDER BY id DESC LIMIT 1) AS high
), probes AS (
    SELECT DISTINCT low + (high - low) * step / %(samples)s AS id
    FROM id_range, generate_series(0, %(samples)s) AS step
), sample AS MATERIALIZED (
    SELECT v.id, v.geom, (ST_XMin(v.geom) + ST_XMax(v.geom)) / 2 AS x, (ST_YMin(v.geom) + ST_YMax(v.geom)) / 2 AS y
    FROM {schema}.{view} AS v
    JOIN probes USING (id)
    WHERE v.geom IS NOT NULL AND NOT ST_IsEmpty(v.geom)
), cells AS (
    SELECT id, geom, x, y, count(*) OVER cell AS density, avg(x) OVER cell AS mean_x, avg(y) OVER cell AS mean_y
    FROM sample
    WINDOW cell AS (PARTITION BY floor(x / %(cell)s), floor(y / %(cell)s))
), chosen AS (
    SELECT geom FROM cells ORDER BY density DESC, (x - mean_x) ^ 2 + (y - mean_y) ^ 2, id LIMIT 1
), nearest AS (
    SELECT geom FROM {schema}.{view} ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326) LIMIT 1
)
SELECT ST_X(point), ST_Y(point)
FROM (
    SELECT ST_PointOnSurface(geom) AS point
    FROM (SELECT geom FROM chosen UNION ALL (SELECT geom FROM nearest)) AS candidates
    LIMIT 1
) AS centre
