-- One tile of a large-polygon layer, read from its pieces (tiles.pieces): each feature pre-simplified for a band of
-- zooms, then cut into pieces of at most a few hundred vertices, in Web Mercator. Only the pieces of the tile's band
-- that meet the buffered tile are read; each is clipped and snapped to the tile grid, and the pieces of one feature
-- are merged again in tile space (integer coordinates: no seams, no slivers). Features under the minimum area of
-- this zoom are dropped. Attributes come from the layer's feature table. No feature cap.
WITH bounds AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS envelope,
           ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s) AS search
),
clipped AS (
    SELECT p.feature, ST_AsMVTGeom(p.geom, bounds.envelope, %(extent)s, %(buffer)s, true) AS geom
    FROM {schema}.{pieces} AS p, bounds
    WHERE p.band = %(band)s
      AND p.geom && bounds.search
      AND (%(min_area)s <= 0 OR p.feature_area >= %(min_area)s)
),
merged AS (
    SELECT feature, CASE WHEN count(*) = 1 THEN (array_agg(geom))[1] ELSE ST_Union(geom) END AS geom
    FROM clipped
    WHERE geom IS NOT NULL
    GROUP BY feature
),
features AS (
    SELECT {columns}, m.geom
    FROM merged AS m
    JOIN {schema}.{relation} AS t ON t.id = m.feature
)
SELECT ST_AsMVT(features.*, %(layer)s, %(extent)s, 'geom', 'id') FROM features
