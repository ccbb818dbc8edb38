-- What the public look-ups read through the read-only role besides the layers of geoportal_views.sql
-- (ogc_services 0003): the pieces of the zones and overlays (ST_Subdivide, for the site look-ups and the
-- pre-check) and the verification of a document by its token (/verify/<token>/).
-- The pieces views have no `id` column, so they are no OGC API collection; they keep the GiST indexes of their
-- tables (a simple view is inlined by the planner).
CREATE OR REPLACE VIEW geoportal.zone_pieces AS
SELECT piece.zone_id, piece.geom
FROM parcels_zonepiece AS piece
JOIN parcels_zone AS zone ON zone.id = piece.zone_id
JOIN parcels_zoningplan AS plan ON plan.id = zone.plan_id
WHERE plan.status = 'in_force';
COMMENT ON VIEW geoportal.zone_pieces IS
  'Pieces (at most 256 vertices) of the zones of plans in force, for the look-ups (geoportal.zones has the rest).';

CREATE OR REPLACE VIEW geoportal.overlay_pieces AS
SELECT piece.overlay_id, piece.geom
FROM parcels_overlaypiece AS piece;
COMMENT ON VIEW geoportal.overlay_pieces IS
  'Pieces (at most 256 vertices) of the overlays'' effective geometries, for the look-ups.';

-- The verification page needs the token's printed reference and the latest version of its document (to read and
-- verify it). A view would let the reader list every token of the platform (minutes, plans...), so it is a
-- function that answers for one token it is given, run with its owner's rights (SECURITY DEFINER, fixed
-- search_path, tables qualified with the schema they were created in). Only the reader may execute it.
DO $$
BEGIN
  EXECUTE format($function$
    CREATE OR REPLACE FUNCTION geoportal.verification_document(verification_token text)
    RETURNS TABLE (
      reference text, purpose text, document_id uuid, version integer, kind text, sha256 text, storage_key text
    )
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $body$
      SELECT token.reference::text, token.purpose::text, document.id, document.version::integer,
             document.kind::text, document.sha256::text, document.storage_key::text
      FROM %1$I.signing_verificationtoken AS token
      JOIN %1$I.documents_storeddocument AS document ON document.lineage = token.lineage
      WHERE token.token = verification_token
      ORDER BY document.version DESC
      LIMIT 1
    $body$
  $function$, current_schema());
  REVOKE ALL ON FUNCTION geoportal.verification_document(text) FROM PUBLIC;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    GRANT SELECT ON geoportal.zone_pieces, geoportal.overlay_pieces TO geoportal_reader;
    GRANT EXECUTE ON FUNCTION geoportal.verification_document(text) TO geoportal_reader;
  END IF;
END $$;
