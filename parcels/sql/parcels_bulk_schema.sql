-- What the bulk load of parcels drops and rebuilds: (kind, name, definition) of the table's foreign keys, unique
-- and exclusion constraints and its other indexes (the primary key stays); then the foreign keys that point to
-- the table (kind 'referenced', kept, only flushed), and whether each constraint is deferrable and initially deferred.
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
SELECT 'referenced', con.conname::text, '', con.condeferrable, con.condeferred
FROM pg_constraint AS con
WHERE con.confrelid = %(table)s::regclass
  AND con.contype = 'f'
  AND con.conrelid <> con.confrelid
