-- The geoportal schema: the only tables public feeds read. Only publishable rows, only public columns:
-- no names, phones, e-mails, ID numbers, applicant or architect, ever. Views run with their owner's rights,
-- so the read-only role needs no grant on the base tables.
CREATE SCHEMA IF NOT EXISTS geoportal;

CREATE OR REPLACE VIEW geoportal.territories AS
SELECT t.id, t.level, t.code, t.name_fr, t.name_ar, t.name_en, p.code AS parent_code, t.area_m2, t.geom
FROM gis_core_territory t
LEFT JOIN gis_core_territory p ON p.id = t.parent_id;

CREATE OR REPLACE VIEW geoportal.parcels AS
SELECT pa.id, pa.reference, pa.land_title, c.code AS commune_code, pa.official_area_m2, pa.area_m2, pa.geom
FROM parcels_parcel pa
JOIN gis_core_territory c ON c.id = pa.commune_id;

CREATE OR REPLACE VIEW geoportal.zones AS
SELECT z.id, pl.name AS plan, z.code, z.label, z.max_height_m, z.max_floors, z.max_coverage_ratio,
       z.max_floor_area_ratio, z.min_setback_road_m, z.min_setback_neighbour_m,
       array_to_string(z.allowed_uses, ';') AS allowed_uses, array_to_string(z.forbidden_uses, ';') AS forbidden_uses,
       c.code AS commune_code, z.area_m2, z.geom
FROM parcels_zone z
JOIN parcels_zoningplan pl ON pl.id = z.plan_id
JOIN gis_core_territory c ON c.id = z.commune_id
WHERE pl.status = 'in_force';

CREATE OR REPLACE VIEW geoportal.overlays AS
SELECT o.id, o.reference, o.kind, o.name, a.code AS agency_code, a.name_fr AS agency_name_fr,
       a.name_ar AS agency_name_ar, o.buffer_m, c.code AS commune_code, o.effective_geom AS geom
FROM parcels_overlay o
JOIN gis_core_territory c ON c.id = o.commune_id
LEFT JOIN parcels_agency a ON a.id = o.agency_id;

-- Authorised projects: published dossiers whose decision authorises the project. Nothing else, ever.
-- (Migration 0002 appends `verification_token`: see authorised_projects_verification.sql.)
CREATE OR REPLACE VIEW geoportal.authorised_projects AS
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

-- The read-only role of the services (pygeoapi, MapServer, tiles). Created when the migrating user may create
-- roles; a managed database without that right gets a notice and the operator creates it (docs/deployment).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    BEGIN
      CREATE ROLE geoportal_reader LOGIN;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'cannot create role geoportal_reader: create it and grant it the geoportal schema';
      RETURN;
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO geoportal_reader', current_database());
  GRANT USAGE ON SCHEMA geoportal TO geoportal_reader;
  GRANT SELECT ON ALL TABLES IN SCHEMA geoportal TO geoportal_reader;
  ALTER DEFAULT PRIVILEGES IN SCHEMA geoportal GRANT SELECT ON TABLES TO geoportal_reader;
END $$;
