-- The lon/lat extent of an authorised project's footprint, as the geoportal publishes it (none if not published).
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent(geom) AS e FROM {schema}.{view} WHERE id = %(id)s) AS extent
WHERE e IS NOT NULL
