-- Parcels containing a point (lon/lat, EPSG:4326), with their commune and their geometry as GeoJSON, read from the
-- geoportal views (what the public read-only role may read; they keep the tables' GiST indexes).
-- No ORDER BY: with LIMIT it could tempt the planner into a primary-key scan; the caller sorts the few rows.
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
WHERE ST_Intersects(parcel.geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326))
LIMIT %(limit)s
