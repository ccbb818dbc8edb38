-- Staging table of one chunk of synthetic parcels, filled by COPY and emptied after each upsert.
CREATE TEMPORARY TABLE IF NOT EXISTS "generated_parcel_staging" (
    "reference" varchar(100) NOT NULL,
    "land_title" varchar(100) NOT NULL,
    "official_area_m2" double precision,
    "area_m2" double precision NOT NULL,
    "geom" geometry(MultiPolygon, 4326) NOT NULL,
    "attributes" jsonb NOT NULL
) ON COMMIT DROP
