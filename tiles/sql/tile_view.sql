-- One tile of a layer read straight from its geoportal view (real-time): {relation} is the view, {columns} its
-- attribute columns. Candidates are found by the view's spatial index (lon/lat box of the tile and its buffer),
-- simplified in Web Mercator by a fraction of a pixel of this zoom, features under the minimum area dropped;
-- ST_AsMVTGeom clips to the buffered tile and snaps to the tile grid. A footprint too small to draw becomes a
-- point when the layer says so. No feature cap: every feature of the tile is encoded.
WITH bounds AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope,
           ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326) AS search
),
candidates AS (
    SELECT {columns}, ST_Transform(t.geom, 3857) AS mercator
    FROM {schema}.{relation} AS t, bounds
    WHERE t.geom && bounds.search
),
features AS (
    SELECT {candidate_columns},
           COALESCE(
               ST_AsMVTGeom(ST_Simplify(c.mercator, %(tolerance)s, false), bounds.envelope, %(extent)s, %(buffer)s, true),
               CASE WHEN %(small_as_points)s THEN
                   ST_AsMVTGeom(ST_PointOnSurface(c.mercator), bounds.envelope, %(extent)s, %(buffer)s, true)
               END
           ) AS geom
    FROM candidates AS c, bounds
    WHERE %(min_area)s <= 0 OR ST_Area(c.mercator) >= %(min_area)s
)
SELECT ST_AsMVT(features.*, %(layer)s, %(extent)s, 'geom', 'id') FROM features WHERE geom IS NOT NULL
