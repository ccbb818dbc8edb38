-- One tile of a layer read straight from its geoportal view (real-time): {relation} is the view, {columns} its
-- attribute columns. Candidates are found by the view's spatial index (lon/lat box of the tile and its buffer).
-- Features under the minimum area are dropped before any reprojection: their lon/lat area is compared with the
-- minimum Web Mercator area converted at the tile's latitude (a Mercator area is the lon/lat one times
-- (pi R / 180)^2 / cos(latitude)). The others are projected once, simplified by a fraction of a pixel of this zoom;
-- ST_AsMVTGeom clips to the buffered tile and snaps to the tile grid. A footprint too small to draw becomes a point
-- when the layer says so. A feature with nothing left to draw is NULL, which ST_AsMVT skips (a `WHERE geom IS NOT
-- NULL` would make PostgreSQL compute ST_AsMVTGeom twice per row). No feature cap: every feature is encoded.
WITH tile AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope,
           ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326) AS search
),
bounds AS (
    SELECT envelope, search,
           %(min_area)s * cos(radians((ST_YMin(search) + ST_YMax(search)) / 2)) / (pi() * 6378137 / 180) ^ 2
               AS min_area_degrees
    FROM tile
),
features AS (
    SELECT {columns},
           COALESCE(
               ST_AsMVTGeom(ST_Simplify(ST_Transform(t.geom, 3857), %(tolerance)s, false), bounds.envelope, %(extent)s, %(buffer)s, true),
               CASE WHEN %(small_as_points)s THEN
                   ST_AsMVTGeom(ST_Transform(ST_PointOnSurface(t.geom), 3857), bounds.envelope, %(extent)s, %(buffer)s, true)
               END
           ) AS geom
    FROM {schema}.{relation} AS t, bounds
    WHERE t.geom && bounds.search
      AND (%(min_area)s <= 0 OR ST_Area(t.geom) >= bounds.min_area_degrees)
)
SELECT ST_AsMVT(features.*, %(layer)s, %(extent)s, 'geom', 'id') FROM features
