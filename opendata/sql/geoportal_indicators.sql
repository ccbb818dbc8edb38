-- The indicator snapshots, their successful refreshes and the procedures' codes and names as views of the
-- geoportal (opendata 0003), read by the open-data downloads through the read-only role. Aggregates only: every code comes with its names, no row names
-- a person or a file. The breakdown is named from the catalogue it comes from: an agency (opinions), a commission
-- (sessions; its code is its id), a use or an economic activity (what gets built).
CREATE OR REPLACE VIEW geoportal.indicator_snapshots AS
SELECT s.id, s.period, s.day, s.indicator,
       s.procedure AS procedure_code, p.name_fr AS procedure_name_fr, p.name_ar AS procedure_name_ar,
       p.name_en AS procedure_name_en,
       coalesce(t.level, 'nation') AS territory_level, t.code AS territory_code, t.name_fr AS territory_name_fr,
       t.name_ar AS territory_name_ar, t.name_en AS territory_name_en,
       s.breakdown AS breakdown_code,
       coalesce(a.name_fr, c.name_fr, u.label_fr, e.label_fr) AS breakdown_name_fr,
       coalesce(a.name_ar, c.name_ar, u.label_ar, e.label_ar) AS breakdown_name_ar,
       coalesce(a.name_en, u.label_en, e.label_en) AS breakdown_name_en,
       s.count, s.value, s.median, s.p90
FROM opendata_indicatorsnapshot s
LEFT JOIN gis_core_territory t ON t.id = s.territory_id
LEFT JOIN permits_procedure p ON s.procedure <> '' AND p.code = s.procedure
LEFT JOIN parcels_agency a
       ON s.indicator IN ('opinions_on_time', 'opinions_late', 'opinions_tacit', 'opinion_days')
      AND a.code = s.breakdown
LEFT JOIN commissions_commission c
       ON s.indicator IN ('sessions_held', 'slots_offered', 'slots_booked', 'files_examined_per_session')
      AND s.breakdown <> '' AND c.id::text = s.breakdown
LEFT JOIN permits_projectuse u ON s.indicator = 'authorised_by_use' AND u.code = s.breakdown
LEFT JOIN permits_economicactivity e ON s.indicator = 'authorised_by_activity' AND e.code = s.breakdown;
COMMENT ON VIEW geoportal.indicator_snapshots IS 'The open-data indicators per period, procedure, territory and breakdown.';

CREATE OR REPLACE VIEW geoportal.indicator_refreshes AS
SELECT r.period, r.day, r.finished_at
FROM opendata_refreshrun r
WHERE r.outcome = 'succeeded';
COMMENT ON VIEW geoportal.indicator_refreshes IS 'The successful refreshes of the open-data indicators.';

CREATE OR REPLACE VIEW geoportal.procedures AS
SELECT p.code, p.name_fr, p.name_ar, p.name_en
FROM permits_procedure p;
COMMENT ON VIEW geoportal.procedures IS 'The catalogue''s procedures: the codes the indicators are given per.';

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN
    GRANT SELECT ON geoportal.indicator_snapshots, geoportal.indicator_refreshes, geoportal.procedures
      TO geoportal_reader;
  END IF;
END $$;
