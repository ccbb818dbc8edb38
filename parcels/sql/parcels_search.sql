-- Parcels matching every condition ({conditions}: fixed SQL fragments chosen by the selector, values bound),
-- ordered by id and limited (the caller pages by key), with their commune and their geometry as GeoJSON.
SELECT
    parcel.id,
    parcel.reference,
    parcel.land_title,
    parcel.official_area_m2,
    parcel.area_m2,
    commune.code,
    commune.name_fr,
    commune.name_ar,
    ST_AsGeoJSON(parcel.geom, %(precision)s::integer, 0)
FROM geoportal.parcels AS parcel
JOIN geoportal.territories AS commune ON commune.code = parcel.commune_code
WHERE {conditions}
ORDER BY parcel.id
LIMIT %(limit)s
