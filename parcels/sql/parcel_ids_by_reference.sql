-- The ids of the parcels with a reference (in a commune, when its code is given): two at most, enough to tell
-- "none", "one" and "several communes" apart.
SELECT parcel.id
FROM geoportal.parcels AS parcel
WHERE parcel.reference = %(reference)s
  AND (%(commune_code)s::text IS NULL OR parcel.commune_code = %(commune_code)s::text)
ORDER BY parcel.id
LIMIT 2
