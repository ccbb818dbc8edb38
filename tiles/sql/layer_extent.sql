-- The lon/lat extent of a geoportal view.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM {schema}.{view}) AS extent
