-- A parcel's geometry (WKB, EPSG:4326): the site of its look-ups and pre-check.
SELECT ST_AsBinary(parcel.geom) FROM geoportal.parcels AS parcel WHERE parcel.id = %(parcel_id)s
