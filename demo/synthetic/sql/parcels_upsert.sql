-- Upsert one staged chunk of synthetic parcels by (commune, reference); returns (inserted, updated).
WITH "upserted" AS (
    INSERT INTO "parcels_parcel" AS "parcel"
        ("commune_id", "reference", "land_title", "official_area_m2", "area_m2", "geom", "attributes", "updated_at")
    SELECT %(commune_id)s, "reference", "land_title", "official_area_m2", "area_m2", "geom", "attributes", now()
    FROM "generated_parcel_staging"
    ON CONFLICT ("commune_id", "reference") DO UPDATE SET
        "land_title" = EXCLUDED."land_title",
        "official_area_m2" = EXCLUDED."official_area_m2",
        "area_m2" = EXCLUDED."area_m2",
        "geom" = EXCLUDED."geom",
        "attributes" = EXCLUDED."attributes",
        "updated_at" = EXCLUDED."updated_at"
    RETURNING ("xmax" = 0) AS "inserted"
)
SELECT count(*) FILTER (WHERE "inserted"), count(*) FILTER (WHERE NOT "inserted") FROM "upserted"
