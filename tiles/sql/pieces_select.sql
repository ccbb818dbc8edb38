-- The pieces of a large-polygon layer, from its geoportal view (or from a table of some of its rows, for an update
-- after an import): for each band of zooms the whole feature is simplified in Web Mercator (topology preserved, no
-- seams between pieces), then cut by ST_Subdivide. The feature's full area is kept on every piece, so that a tile
-- drops too-small features without reassembling them. Run as `CREATE TABLE ... AS` or `INSERT INTO ...`.
SELECT v.id AS feature, band.zoom AS band, ST_Area(g.mercator) AS feature_area, piece.geom::geometry(Polygon, 3857) AS geom
FROM {view_schema}.{view} AS v
CROSS JOIN LATERAL (
    SELECT ST_Transform(
        ST_CollectionExtract(ST_MakeValid(ST_ClipByBox2D(v.geom, ST_MakeEnvelope(-180, -85.0511, 180, 85.0511, 4326))), 3),
        3857
    ) AS mercator
) AS g
CROSS JOIN unnest(%(bands)s::integer[], %(tolerances)s::float8[]) AS band(zoom, tolerance)
CROSS JOIN LATERAL ST_Subdivide(ST_SimplifyPreserveTopology(g.mercator, band.tolerance), %(max_vertices)s) AS cut(geom)
CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(cut.geom, 3)) AS piece
WHERE v.geom IS NOT NULL AND NOT ST_IsEmpty(g.mercator)
