-- The rows of a pieced layer's view that meet an imported area (lon/lat), copied into a temporary table: the
-- features whose pieces an update re-cuts. `&&` on the view's geometry uses the base table's GiST index.
CREATE TEMP TABLE {changed} AS
SELECT * FROM {schema}.{view}
WHERE geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
