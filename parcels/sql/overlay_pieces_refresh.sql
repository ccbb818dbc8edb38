-- Replace the pieces of the given overlays: each `effective_geom` cut by ST_Subdivide into polygons of at most
-- `max_vertices` vertices, disjoint and covering it. The DELETE and the INSERT touch different rows: one statement.
WITH dropped AS (
    DELETE FROM {overlay_piece} WHERE overlay_id = ANY(%(overlay_ids)s::bigint[])
)
INSERT INTO {overlay_piece} (overlay_id, geom)
SELECT overlay.id, part.geom
FROM {overlay} AS overlay
CROSS JOIN LATERAL ST_Subdivide(overlay.effective_geom, %(max_vertices)s::integer) AS piece(geom)
CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(piece.geom, 3)) AS part
WHERE overlay.id = ANY(%(overlay_ids)s::bigint[])
  AND NOT ST_IsEmpty(part.geom)
