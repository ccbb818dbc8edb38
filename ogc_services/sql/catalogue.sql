-- The geoportal catalogue: every view (or materialized view) of the schema the current role may read, with its
-- columns in order, their types and, for geometry columns, their type and SRID. Read by ogc_services.catalogue.
SELECT c.relname                                AS view_name,
       a.attname                                AS column_name,
       t.typname                                AS type_name,
       coalesce(gc.type, '')                    AS geometry_type,
       coalesce(gc.srid, 0)                     AS srid,
       coalesce(col_description(c.oid, a.attnum), '') AS description
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN geometry_columns gc
       ON gc.f_table_schema = n.nspname AND gc.f_table_name = c.relname AND gc.f_geometry_column = a.attname
WHERE n.nspname = %(schema)s
  AND c.relkind IN ('v', 'm')
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY c.relname, a.attnum;
