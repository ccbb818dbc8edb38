-- What the current role (the public reader) may do beyond reading the public schemas: one row per excess,
-- (what, object, privilege). Empty for a confined reader. PostgreSQL's privilege functions count grants to
-- PUBLIC, to the roles the reader inherits from, column grants and the predefined roles (pg_read_all_data...).
-- Allowed: SELECT in %(schemas)s and on PostGIS's own metadata (spatial_ref_sys, geometry_columns...),
-- EXECUTE on the SECURITY DEFINER functions of those schemas (e.g. the verification look-up).
WITH relation AS (
    SELECT
        class.oid,
        namespace.nspname AS schema_name,
        format('%%I.%%I', namespace.nspname, class.relname) AS name,
        class.relkind AS kind,
        namespace.nspname = ANY(%(schemas)s::text[]) OR EXISTS (
            SELECT 1
            FROM pg_depend AS dependency
            JOIN pg_extension AS extension ON extension.oid = dependency.refobjid
            WHERE dependency.classid = 'pg_class'::regclass
              AND dependency.objid = class.oid
              AND dependency.deptype = 'e'
              AND extension.extname LIKE 'postgis%%'
        ) AS readable
    FROM pg_class AS class
    JOIN pg_namespace AS namespace ON namespace.oid = class.relnamespace
    WHERE class.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND namespace.nspname NOT IN ('pg_catalog', 'information_schema')
      AND namespace.nspname !~ '^pg_(toast|temp_|toast_temp_)'
), table_privilege AS (
    SELECT privilege FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS privilege
)
SELECT 'read' AS excess, relation.name AS object, 'SELECT' AS privilege
FROM relation
WHERE relation.kind <> 'S' AND NOT relation.readable AND has_any_column_privilege(relation.oid, 'SELECT')
UNION ALL
SELECT 'write', relation.name, table_privilege.privilege
FROM relation
CROSS JOIN table_privilege
WHERE relation.kind <> 'S'
  AND CASE WHEN table_privilege.privilege IN ('INSERT', 'UPDATE', 'REFERENCES')
      THEN has_any_column_privilege(relation.oid, table_privilege.privilege)
      ELSE has_table_privilege(relation.oid, table_privilege.privilege) END
UNION ALL
SELECT CASE WHEN privilege = 'SELECT' THEN 'read' ELSE 'write' END, relation.name, privilege
FROM relation
CROSS JOIN unnest(ARRAY['SELECT', 'USAGE', 'UPDATE']) AS privilege
WHERE relation.kind = 'S'
  AND (privilege <> 'SELECT' OR NOT relation.readable)
  AND has_sequence_privilege(relation.oid, privilege)
UNION ALL
SELECT 'write', format('schema %%I', namespace.nspname), 'CREATE'
FROM pg_namespace AS namespace
WHERE namespace.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND has_schema_privilege(namespace.oid, 'CREATE')
UNION ALL
SELECT 'write', format('database %%I', current_database()), 'CREATE'
WHERE has_database_privilege(current_database(), 'CREATE')
UNION ALL
SELECT 'role', format('role %%I', role.rolname), attribute.name
FROM pg_roles AS role
CROSS JOIN LATERAL (
    VALUES ('SUPERUSER', role.rolsuper), ('CREATEROLE', role.rolcreaterole), ('CREATEDB', role.rolcreatedb),
           ('BYPASSRLS', role.rolbypassrls), ('REPLICATION', role.rolreplication)
) AS attribute(name, held)
WHERE attribute.held AND pg_has_role(current_user, role.oid, 'MEMBER')
UNION ALL
-- A role the reader may SET ROLE to (membership, inherited or not) that owns tables outside the public schemas,
-- or a predefined role that reads or writes files or every table.
SELECT 'role', format('member of role %%I', role.rolname), 'SET ROLE'
FROM pg_roles AS role
WHERE role.rolname <> current_user
  AND pg_has_role(current_user, role.oid, 'MEMBER')
  AND (
      role.rolname IN ('pg_read_all_data', 'pg_write_all_data', 'pg_read_server_files', 'pg_write_server_files',
                       'pg_execute_server_program')
      OR EXISTS (
          SELECT 1 FROM pg_class AS class JOIN relation ON relation.oid = class.oid
          WHERE class.relowner = role.oid AND NOT relation.readable
      )
  )
UNION ALL
SELECT 'execute', format('function %%s', function.oid::regprocedure), 'SECURITY DEFINER'
FROM pg_proc AS function
JOIN pg_namespace AS namespace ON namespace.oid = function.pronamespace
WHERE function.prosecdef
  AND namespace.nspname <> ALL(%(schemas)s::text[])
  AND namespace.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend AS dependency
      WHERE dependency.classid = 'pg_proc'::regclass AND dependency.objid = function.oid AND dependency.deptype = 'e'
  )
  AND has_function_privilege(function.oid, 'EXECUTE')
ORDER BY 1, 2, 3
