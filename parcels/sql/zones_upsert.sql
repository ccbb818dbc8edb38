-- Features with the same code in one commune are merged (ST_Union) into one zone; upsert by (plan, commune, code).
-- The ids of the upserted rows come last: the import refreshes their pieces (zone_pieces_refresh.sql).
WITH merged AS (
    SELECT
        commune_id,
        code,
        max(label) AS label,
        max(max_height_m) AS max_height_m,
        max(max_floors) AS max_floors,
        max(max_coverage_ratio) AS max_coverage_ratio,
        max(max_floor_area_ratio) AS max_floor_area_ratio,
        max(min_setback_road_m) AS min_setback_road_m,
        max(min_setback_neighbour_m) AS min_setback_neighbour_m,
        max(allowed_uses) AS allowed_uses,
        max(forbidden_uses) AS forbidden_uses,
        ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3)) AS geom
    FROM {staging}
    GROUP BY commune_id, code
), upserted AS (
    INSERT INTO {zone} AS zone (
        plan_id, commune_id, code, label, max_height_m, max_floors, max_coverage_ratio, max_floor_area_ratio,
        min_setback_road_m, min_setback_neighbour_m, allowed_uses, forbidden_uses, geom, area_m2
    )
    SELECT
        %(plan_id)s,
        commune_id,
        code,
        coalesce(label, ''),
        max_height_m,
        max_floors,
        max_coverage_ratio,
        max_floor_area_ratio,
        min_setback_road_m,
        min_setback_neighbour_m,
        ARRAY(SELECT lower(btrim(item)) FROM unnest(string_to_array(allowed_uses, ';')) AS item
              WHERE btrim(item) <> '')::varchar[],
        ARRAY(SELECT lower(btrim(item)) FROM unnest(string_to_array(forbidden_uses, ';')) AS item
              WHERE btrim(item) <> '')::varchar[],
        geom,
        ST_Area(geom::geography)
    FROM merged
    ON CONFLICT (plan_id, commune_id, code) DO UPDATE SET
        label = EXCLUDED.label,
        max_height_m = EXCLUDED.max_height_m,
        max_floors = EXCLUDED.max_floors,
        max_coverage_ratio = EXCLUDED.max_coverage_ratio,
        max_floor_area_ratio = EXCLUDED.max_floor_area_ratio,
        min_setback_road_m = EXCLUDED.min_setback_road_m,
        min_setback_neighbour_m = EXCLUDED.min_setback_neighbour_m,
        allowed_uses = EXCLUDED.allowed_uses,
        forbidden_uses = EXCLUDED.forbidden_uses,
        geom = EXCLUDED.geom,
        area_m2 = EXCLUDED.area_m2
    RETURNING id, (xmax = 0) AS inserted
)
SELECT
    count(*) FILTER (WHERE inserted),
    count(*) FILTER (WHERE NOT inserted),
    coalesce(array_agg(id), ARRAY[]::bigint[])
FROM upserted
