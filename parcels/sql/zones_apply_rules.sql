-- A mapped source value wins; the rules file fills what the source leaves empty.
UPDATE {staging} AS staged SET
    label = coalesce(staged.label, rules.label),
    max_height_m = coalesce(staged.max_height_m, rules.max_height_m),
    max_floors = coalesce(staged.max_floors, rules.max_floors),
    max_coverage_ratio = coalesce(staged.max_coverage_ratio, rules.max_coverage_ratio),
    max_floor_area_ratio = coalesce(staged.max_floor_area_ratio, rules.max_floor_area_ratio),
    min_setback_road_m = coalesce(staged.min_setback_road_m, rules.min_setback_road_m),
    min_setback_neighbour_m = coalesce(staged.min_setback_neighbour_m, rules.min_setback_neighbour_m),
    allowed_uses = coalesce(staged.allowed_uses, rules.allowed_uses),
    forbidden_uses = coalesce(staged.forbidden_uses, rules.forbidden_uses)
FROM {rules} AS rules
WHERE rules.code = staged.code
