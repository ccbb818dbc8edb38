-- Upsert parcels by (commune, reference); the geodesic area (WGS84 ellipsoid) comes computed in `area_m2`.
WITH upserted AS (
    INSERT INTO {parcel} AS parcel
        (commune_id, reference, land_title, official_area_m2, area_m2, geom, attributes, updated_at)
    SELECT
        commune_id,
        reference,
        coalesce(land_title, ''),
        official_area_m2,
        area_m2,
        ST_Multi(geom),
        attributes,
        now()
    FROM {staging}
    ON CONFLICT (commune_id, reference) DO UPDATE SET
        land_title = EXCLUDED.land_title,
        official_area_m2 = EXCLUDED.official_area_m2,
        area_m2 = EXCLUDED.area_m2,
        geom = EXCLUDED.geom,
        attributes = EXCLUDED.attributes,
        updated_at = EXCLUDED.updated_at
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
