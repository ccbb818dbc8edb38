-- Back to the authorised projects of ogc_services 0001 (no verification token); the grants are re-applied.
DROP VIEW IF EXISTS geoportal.authorised_projects;
CREATE VIEW geoportal.authorised_projects AS
SELECT d.id, d.reference, pr.code AS procedure, pr.name_fr AS procedure_name_fr, pr.name_ar AS procedure_name_ar,
       pr.name_en AS procedure_name_en, d.decision, (d.decided_at AT TIME ZONE 'UTC')::date AS decision_date,
       d.published_at, d.use, d.height_m, d.floors, d.gross_floor_area_m2, d.units,
       c.code AS commune_code, c.name_fr AS commune_name_fr, c.name_ar AS commune_name_ar, d.footprint AS geom
FROM permits_dossier d
JOIN permits_procedure pr ON pr.id = d.procedure_id
JOIN gis_core_territory c ON c.id = d.commune_id
WHERE d.status = 'published'
  AND d.decision IN ('favourable', 'favourable_with_conditions')
  AND d.footprint IS NOT NULL;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    GRANT SELECT ON geoportal.authorised_projects TO geoportal_reader;
  END IF;
END $$;
DROP INDEX IF EXISTS signing_verificationtoken_reference_purpose;
