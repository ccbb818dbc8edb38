-- Replace the pieces of the given zones: each zone cut by ST_Subdivide into polygons of at most `max_vertices`
-- vertices, disjoint and covering the zone. The DELETE and the INSERT touch different rows, so one statement is enough.
WITH dropped AS (
    DELETE FROM {zone_piece} WHERE zone_id = ANY(%(zone_ids)s::bigint[])
)
INSERT INTO {zone_piece} (zone_id, geom)
SELECT zone.id, part.geom
FROM {zone} AS zone
CROSS JOIN LATERAL ST_Subdivide(zone.geom, %(max_vertices)s::integer) AS piece(geom)
CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(piece.geom, 3)) AS part
WHERE zone.id = ANY(%(zone_ids)s::bigint[])
  AND NOT ST_IsEmpty(part.geom)
