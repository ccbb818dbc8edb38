-- The names of the given territories (the heading of the statistics page).
SELECT name_fr, name_ar, name_en FROM gis_core_territory WHERE id = ANY(%(territories)s::bigint[]) ORDER BY name_fr;
