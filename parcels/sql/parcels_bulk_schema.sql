-- What the bulk load of parcels drops and rebuilds: (kind, name, definition, deferrable, deferred) of the
-- table's foreign keys, unique and exclusion constraints ('constraint') and of its other indexes ('index'); the
-- primary key stays. Then the deferrable foreign keys whose pending events would block those ALTER TABLEs
-- ('flush': those of the table, of the tables it references, and those pointing to them), set IMMEDIATE first.
WITH related AS (
    SELECT %(table)s::regclass AS relation
    UNION
    SELECT con.confrelid FROM pg_constraint AS con WHERE con.conrelid = %(table)s::regclass AND con.contype = 'f'
)
SELECT 'constraint' AS kind, con.conname::text AS name, pg_get_constraintdef(con.oid) AS definition,
    con.condeferrable AS deferrable, con.condeferred AS deferred
FROM pg_constraint AS con
WHERE con.conrelid = %(table)s::regclass
  AND con.contype IN ('f', 'u', 'x')
UNION ALL
SELECT 'index', index_class.relname::text, pg_get_indexdef(ind.indexrelid), false, false
FROM pg_index AS ind
JOIN pg_class AS index_class ON index_class.oid = ind.indexrelid
WHERE ind.indrelid = %(table)s::regclass
  AND NOT ind.indisprimary
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint AS con
      WHERE con.conindid = ind.indexrelid AND con.conrelid = ind.indrelid AND con.contype IN ('p', 'u', 'x')
  )
UNION ALL
SELECT DISTINCT 'flush', con.conname::text, '', con.condeferrable, con.condeferred
FROM pg_constraint AS con
JOIN related ON related.relation IN (con.conrelid, con.confrelid)
WHERE con.contype = 'f'
  AND con.condeferrable
