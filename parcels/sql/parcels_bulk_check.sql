-- Whether a bulk load applies: the table's estimated row count and whether the commune has parcels already.
SELECT
    greatest(class.reltuples, 0)::bigint AS estimated_rows,
    EXISTS (SELECT 1 FROM {parcel} WHERE commune_id = %(commune_id)s) AS commune_has_parcels
FROM pg_class AS class
WHERE class.oid = %(table)s::regclass
