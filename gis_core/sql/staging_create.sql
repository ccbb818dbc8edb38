-- The staging table of one import run: cleaned WGS84 geometries and the mapped fields, typed.
-- The target columns (one per field, typed) are appended by the pipeline.
CREATE TEMP TABLE {staging} (
    feature_index bigint NOT NULL,
    feature_fid bigint NOT NULL,
    feature_reference text,
    geom geometry(Geometry, 4326) NOT NULL,
    attributes jsonb NOT NULL DEFAULT '{{}}'::jsonb{columns}
) ON COMMIT DROP
