-- The attribute columns of a geoportal view and their types (the geometry excluded), in column order.
SELECT column_name, data_type
FROM information_schema.columns
WHERE table_schema = %(schema)s AND table_name = %(view)s AND column_name <> 'geom'
ORDER BY ordinal_position
