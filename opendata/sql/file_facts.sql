-- One row per file with an event in the window (a day, month or year; a span of days for the office statistics, whose
-- files are those of the communes in `communes`, all when null): its marks from the audit trail up to the window's
-- end (a re-run for a closed period reads the same events) and the facts the indicators count, with the last day of
-- its limit counted from filing (its clock's `filing_limit`, kept after the decision). No personal field.
CREATE TEMPORARY TABLE opendata_file_facts ON COMMIT DROP AS
WITH touched AS (
    SELECT DISTINCT dossier_id FROM permits_auditevent
    WHERE at >= %(start)s AND at < %(end)s AND action = ANY(%(actions)s) AND dossier_id IS NOT NULL
      AND (%(communes)s::bigint[] IS NULL
           OR dossier_id IN (SELECT id FROM permits_dossier WHERE commune_id = ANY(%(communes)s::bigint[])))
), marks AS (
    SELECT e.dossier_id,
           min(e.at) FILTER (WHERE e.action = %(submit)s) AS filed_at,
           min(e.at) FILTER (WHERE e.action = %(complete)s) AS completed_at,
           max(e.at) FILTER (WHERE e.action = %(to_commission)s) AS commission_at,
           min(e.at) FILTER (WHERE e.action = ANY(%(decide)s)) AS decided_at,
           bool_or(e.action = %(tacit)s) AS tacit,
           min(e.at) FILTER (WHERE e.action = ANY(%(sign)s)) AS signed_at,
           min(e.at) FILTER (WHERE e.action = %(publish)s) AS published_at,
           min(e.at) FILTER (WHERE e.action = %(withdraw)s) AS withdrawn_at,
           count(*) FILTER (WHERE e.action = %(remarks)s) AS remark_rounds
    FROM permits_auditevent e JOIN touched USING (dossier_id)
    WHERE e.at < %(end)s AND e.action = ANY(%(actions)s)
    GROUP BY e.dossier_id
)
SELECT m.*, d.procedure_id, p.code AS procedure, d.commune_id, c.parent_id AS province_id,
       pr.parent_id AS region_id, d.decision, d.gross_floor_area_m2 AS floor_area,
       ST_Area(d.footprint::geography) AS footprint_area, d.floors, d.use, d.activity,
       k.filing_limit AS decision_limit
FROM marks m
JOIN permits_dossier d ON d.id = m.dossier_id
JOIN permits_procedure p ON p.id = d.procedure_id
JOIN gis_core_territory c ON c.id = d.commune_id
LEFT JOIN gis_core_territory pr ON pr.id = c.parent_id
LEFT JOIN permits_dossierclock k ON k.dossier_id = m.dossier_id;
