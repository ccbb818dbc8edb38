-- Geometries (WKB) of the parcels whose bounding box meets a lon/lat box (a GiST pre-filter), except one parcel
-- (`exclude_id`, 0 when the site is not a stored parcel: ids start at 1). The caller measures real distances.
SELECT ST_AsBinary(parcel.geom)
FROM geoportal.parcels AS parcel
WHERE parcel.geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
  AND parcel.id <> %(exclude_id)s
LIMIT %(limit)s
