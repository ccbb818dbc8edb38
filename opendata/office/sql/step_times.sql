-- Processing times in days per step, per desk (commune) and for the whole scope (commune null): count, median and
-- 90th percentile (percentile_cont). Files decided in the period: filing to decision, completeness (filing to
-- completeness), instruction (completeness to the commission, or to the decision without one), commission (sent to
-- commission to decision); files signed in the period: signature (decision to signature). Reads
-- `opendata_file_facts`.
WITH facts AS (
    SELECT f.*, (f.decided_at >= %(start)s AND f.decided_at < %(end)s) AS decided_in FROM opendata_file_facts f
), waits AS (
    SELECT 'filing_to_decision' AS step, commune_id, extract(epoch FROM decided_at - filed_at) / 86400 AS days
    FROM facts WHERE decided_in AND filed_at IS NOT NULL
    UNION ALL SELECT 'completeness', commune_id, extract(epoch FROM completed_at - filed_at) / 86400
    FROM facts WHERE decided_in AND completed_at IS NOT NULL AND filed_at IS NOT NULL
    UNION ALL SELECT 'instruction', commune_id,
           extract(epoch FROM coalesce(commission_at, decided_at) - completed_at) / 86400
    FROM facts WHERE decided_in AND completed_at IS NOT NULL
    UNION ALL SELECT 'commission', commune_id, extract(epoch FROM decided_at - commission_at) / 86400
    FROM facts WHERE decided_in AND commission_at IS NOT NULL
    UNION ALL SELECT 'signature', commune_id, extract(epoch FROM signed_at - decided_at) / 86400
    FROM facts WHERE signed_at >= %(start)s AND signed_at < %(end)s AND decided_at IS NOT NULL
)
SELECT w.step, w.commune_id, t.name_fr, t.name_ar, t.name_en, count(*) AS files,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY w.days) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY w.days) AS p90
FROM waits w
LEFT JOIN gis_core_territory t ON t.id = w.commune_id
GROUP BY w.step, GROUPING SETS ((w.commune_id, t.name_fr, t.name_ar, t.name_en), ())
ORDER BY grouping(w.commune_id), t.name_fr, w.step;
