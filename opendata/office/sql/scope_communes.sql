-- The communes under the given territories (a commune itself, or the communes of a province or region), each with
-- the province and the region above it.
SELECT c.id, c.parent_id, p.parent_id
FROM gis_core_territory c
LEFT JOIN gis_core_territory p ON p.id = c.parent_id
WHERE c.level = 'commune'
  AND (c.id = ANY(%(territories)s::bigint[]) OR c.parent_id = ANY(%(territories)s::bigint[])
       OR p.parent_id = ANY(%(territories)s::bigint[]));
