-- The economic activity of an authorised project is published as a code of the catalogue's nomenclature of
-- economic activities (ogc_services 0005), never as text: a value that is not a code is published as nothing.
-- `activity` is added at the end (CREATE OR REPLACE VIEW may only add columns there), so the view keeps its grants;
-- the activities and their labels are a view of their own (no geometry: no collection), like the uses.
CREATE OR REPLACE VIEW geoportal.activities AS
SELECT a.code, a.label_fr, a.label_ar, a.label_en, a.use, a."order"
FROM permits_economicactivity AS a;
COMMENT ON VIEW geoportal.activities IS 'The catalogue''s economic activities: the codes authorised_projects.activity takes, with their labels.';

CREATE OR REPLACE VIEW geoportal.authorised_projects AS
SELECT d.id, d.reference, pr.code AS procedure, pr.name_fr AS procedure_name_fr, pr.name_ar AS procedure_name_ar,
       pr.name_en AS procedure_name_en, d.decision, (d.decided_at AT TIME ZONE 'UTC')::date AS decision_date,
       d.published_at, u.code AS use, d.height_m, d.floors, d.gross_floor_area_m2, d.units,
       c.code AS commune_code, c.name_fr AS commune_name_fr, c.name_ar AS commune_name_ar, d.footprint AS geom,
       (SELECT v.token FROM signing_verificationtoken v
        WHERE v.reference = d.reference AND v.purpose = 'decision'
        ORDER BY v.created_at DESC LIMIT 1) AS verification_token,
       a.code AS activity
FROM permits_dossier d
JOIN permits_procedure pr ON pr.id = d.procedure_id
JOIN gis_core_territory c ON c.id = d.commune_id
LEFT JOIN permits_projectuse u ON u.code = d.use
LEFT JOIN permits_economicactivity a ON a.code = d.activity
WHERE d.status = 'published'
  AND d.decision IN ('favourable', 'favourable_with_conditions')
  AND d.footprint IS NOT NULL;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    GRANT SELECT ON geoportal.activities TO geoportal_reader;
  END IF;
END $$;
