-- Authorised projects with the public verification token of their decision (ogc_services 0002).
-- The decision PDF of a file is stamped with a token whose printed reference is the file's reference and whose
-- purpose is 'decision' (permits.commissions.signatures); the latest such token is the one the QR code carries.
-- The token is public by design (printed on the decision, opens /verify/<token>/). The column is appended, so
-- CREATE OR REPLACE keeps the view, its dependants and its grants.
CREATE INDEX IF NOT EXISTS signing_verificationtoken_reference_purpose
    ON signing_verificationtoken (reference, purpose, created_at DESC);

CREATE OR REPLACE VIEW geoportal.authorised_projects AS
SELECT d.id, d.reference, pr.code AS procedure, pr.name_fr AS procedure_name_fr, pr.name_ar AS procedure_name_ar,
       pr.name_en AS procedure_name_en, d.decision, (d.decided_at AT TIME ZONE 'UTC')::date AS decision_date,
       d.published_at, d.use, d.height_m, d.floors, d.gross_floor_area_m2, d.units,
       c.code AS commune_code, c.name_fr AS commune_name_fr, c.name_ar AS commune_name_ar, d.footprint AS geom,
       (SELECT v.token FROM signing_verificationtoken v
        WHERE v.reference = d.reference AND v.purpose = 'decision'
        ORDER BY v.created_at DESC LIMIT 1) AS verification_token
FROM permits_dossier d
JOIN permits_procedure pr ON pr.id = d.procedure_id
JOIN gis_core_territory c ON c.id = d.commune_id
WHERE d.status = 'published'
  AND d.decision IN ('favourable', 'favourable_with_conditions')
  AND d.footprint IS NOT NULL;
