-- Upsert territories by code. Names such as "Province de Tétouan إقليم تطوان" (OpenStreetMap) are split:
-- the Latin part is the French name, the Arabic part fills the Arabic name when no field gives it.
WITH prepared AS (
    SELECT
        code,
        CASE WHEN name_fr ~ '[\u0600-\u06FF\u2D30-\u2D7F]'
            THEN nullif(btrim(substring(name_fr FROM '^[^\u0600-\u06FF\u2D30-\u2D7F]*')), '')
            ELSE name_fr END AS latin_name,
        coalesce(name_ar, substring(name_fr FROM '[\u0600-\u06FF][\u0600-\u06FF -]*$'), '') AS arabic_name,
        name_en,
        parent_id,
        ST_Multi(geom) AS geom
    FROM {staging}
), upserted AS (
    INSERT INTO {territory} AS territory (level, code, name_fr, name_ar, name_en, parent_id, geom, area_m2)
    SELECT
        %(level)s,
        code,
        coalesce(latin_name, name_en, code),
        btrim(arabic_name),
        coalesce(name_en, ''),
        parent_id,
        geom,
        ST_Area(geom::geography)
    FROM prepared
    ON CONFLICT (code) DO UPDATE SET
        name_fr = EXCLUDED.name_fr,
        name_ar = EXCLUDED.name_ar,
        name_en = EXCLUDED.name_en,
        parent_id = EXCLUDED.parent_id,
        geom = EXCLUDED.geom,
        area_m2 = EXCLUDED.area_m2
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
