-- The lon/lat extent of the parcels (of one commune, when its code is given), and the commune of the first parcel.
SELECT
    ST_XMin(extent.box), ST_YMin(extent.box), ST_XMax(extent.box), ST_YMax(extent.box),
    (SELECT parcel.commune_code FROM geoportal.parcels AS parcel ORDER BY parcel.id LIMIT 1)
FROM (
    SELECT ST_Extent(parcel.geom) AS box
    FROM geoportal.parcels AS parcel
    WHERE %(commune_code)s::text IS NULL OR parcel.commune_code = %(commune_code)s::text
) AS extent
