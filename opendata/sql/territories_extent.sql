-- The bounding box (longitude/latitude) of every published territory: the datasets' spatial coverage.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent("geom") AS e FROM "geoportal"."territories") AS extent
