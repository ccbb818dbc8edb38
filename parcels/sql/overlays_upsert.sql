-- Upsert overlays by (commune, reference). effective_geom is the geometry grown by buffer_m metres
-- (geodesic buffer); a point or line overlay is stored as its buffer.
-- The ids of the upserted rows come last: the import refreshes their pieces (overlay_pieces_refresh.sql).
WITH prepared AS (
    SELECT
        *,
        CASE WHEN coalesce(buffer_m, 0) > 0
            THEN ST_Multi(ST_CollectionExtract(ST_Buffer(geom::geography, buffer_m)::geometry, 3))
            ELSE ST_Multi(geom) END AS grown
    FROM {staging}
), upserted AS (
    INSERT INTO {overlay} AS overlay
        (commune_id, reference, kind, name, agency_id, buffer_m, geom, effective_geom, attributes)
    SELECT
        commune_id,
        reference,
        kind,
        coalesce(name, reference),
        agency_id,
        coalesce(buffer_m, 0),
        CASE WHEN GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') THEN ST_Multi(geom) ELSE grown END,
        grown,
        attributes
    FROM prepared
    ON CONFLICT (commune_id, reference) DO UPDATE SET
        kind = EXCLUDED.kind,
        name = EXCLUDED.name,
        agency_id = EXCLUDED.agency_id,
        buffer_m = EXCLUDED.buffer_m,
        geom = EXCLUDED.geom,
        effective_geom = EXCLUDED.effective_geom,
        attributes = EXCLUDED.attributes
    RETURNING id, (xmax = 0) AS inserted
)
SELECT
    count(*) FILTER (WHERE inserted),
    count(*) FILTER (WHERE NOT inserted),
    coalesce(array_agg(id), ARRAY[]::bigint[])
FROM upserted
