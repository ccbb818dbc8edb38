-- The rules given by --rules, joined on the zone code.
CREATE TEMP TABLE {rules} (
    code text PRIMARY KEY,
    label text,
    max_height_m double precision,
    max_floors bigint,
    max_coverage_ratio double precision,
    max_floor_area_ratio double precision,
    min_setback_road_m double precision,
    min_setback_neighbour_m double precision,
    allowed_uses text,
    forbidden_uses text
) ON COMMIT DROP
