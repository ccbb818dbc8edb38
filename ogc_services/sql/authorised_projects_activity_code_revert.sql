-- Back to ogc_services 0004: no activity column (a column cannot be dropped by CREATE OR REPLACE: the view is made
-- again, and its grant given again), no activities view.
DROP VIEW IF EXISTS geoportal.activities;
DROP VIEW geoportal.authorised_projects;
CREATE VIEW geoportal.authorised_projects AS
SELECT d.id, d.reference, pr.code AS procedure, pr.name_fr AS procedure_name_fr, pr.name_ar AS procedure_name_ar,
       pr.name_en AS procedure_name_en, d.decision, (d.decided_at AT TIME ZONE 'UTC')::date AS decision_date,
       d.published_at, u.code AS use, d.height_m, d.floors, d.gross_floor_area_m2, d.units,
       c.code AS commune_code, c.name_fr AS commune_name_fr, c.name_ar AS commune_name_ar, d.footprint AS geom,
       (SELECT v.token FROM signing_verificationtoken v
        WHERE v.reference = d.reference AND v.purpose = 'decision'
        ORDER BY v.created_at DESC LIMIT 1) AS verification_token
FROM permits_dossier d
JOIN permits_procedure pr ON pr.id = d.procedure_id
JOIN gis_core_territory c ON c.id = d.commune_id
LEFT JOIN permits_projectuse u ON u.code = d.use
WHERE d.status = 'published'
  AND d.decision IN ('favourable', 'favourable_with_conditions')
  AND d.footprint IS NOT NULL;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    GRANT SELECT ON geoportal.authorised_projects TO geoportal_reader;
  END IF;
END $$;
