-- After a bulk load: a reference repeated in the file keeps its last feature (rows are numbered in COPY order,
-- which is the order of their identity `id`); the others are removed and returned with the kept position.
WITH loaded AS (
    SELECT id, reference, row_number() OVER (ORDER BY id) AS position
    FROM {parcel}
    WHERE commune_id = %(commune_id)s
), ranked AS (
    SELECT id, reference, position, max(position) OVER (PARTITION BY reference) AS kept_position
    FROM loaded
)
DELETE FROM {parcel} AS parcel
USING ranked
WHERE parcel.id = ranked.id
  AND ranked.position < ranked.kept_position
RETURNING ranked.position, ranked.reference, ranked.kept_position
