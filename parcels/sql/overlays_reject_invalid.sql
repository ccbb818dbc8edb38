-- Overlay values that cannot be stored: an unknown kind, a negative buffer, a point or line without buffer.
DELETE FROM {staging}
WHERE kind IS NULL
   OR NOT (kind = ANY(%(kinds)s::text[]))
   OR buffer_m < 0
   OR (GeometryType(geom) NOT IN ('POLYGON', 'MULTIPOLYGON') AND coalesce(buffer_m, 0) <= 0)
RETURNING feature_fid, feature_reference,
    CASE
        WHEN kind IS NULL OR NOT (kind = ANY(%(kinds)s::text[]))
            THEN format('unknown overlay kind %%L (expected one of: %%s)', kind, array_to_string(%(kinds)s::text[], ', '))
        WHEN buffer_m < 0 THEN format('buffer_m %%s is negative', buffer_m)
        ELSE format('a %%s overlay needs buffer_m > 0', GeometryType(geom))
    END
