-- Reverse of public_lookups.sql (ogc_services 0003).
DROP FUNCTION IF EXISTS geoportal.verification_document(text);
DROP VIEW IF EXISTS geoportal.overlay_pieces, geoportal.zone_pieces;
