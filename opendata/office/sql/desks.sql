-- Per desk (a commune's single desk) and for the whole scope (commune null): the files filed, decided, authorised,
-- refused and tacitly decided in the period, and the share decided within the limit counted from filing. The same
-- definitions as the daily indicators (docs/opendata.md). Reads `opendata_file_facts` (the scope's files).
WITH facts AS (
    SELECT f.*, (f.decided_at >= %(start)s AND f.decided_at < %(end)s) AS decided_in FROM opendata_file_facts f
)
SELECT f.commune_id, t.name_fr, t.name_ar, t.name_en,
       count(*) FILTER (WHERE f.filed_at >= %(start)s AND f.filed_at < %(end)s) AS filed,
       count(*) FILTER (WHERE f.decided_in) AS decided,
       count(*) FILTER (WHERE f.decided_in AND f.decision = ANY(%(authorising)s)) AS authorised,
       count(*) FILTER (WHERE f.decided_in AND f.decision = %(refusal)s) AS refused,
       count(*) FILTER (WHERE f.decided_in AND f.tacit) AS tacit,
       avg(CASE WHEN (f.decided_at AT TIME ZONE %(tz)s)::date <= f.decision_limit THEN 1.0 ELSE 0.0 END)
           FILTER (WHERE f.decided_in AND f.decision_limit IS NOT NULL) AS within_limit
FROM facts f
LEFT JOIN gis_core_territory t ON t.id = f.commune_id
GROUP BY GROUPING SETS ((f.commune_id, t.name_fr, t.name_ar, t.name_en), ())
ORDER BY grouping(f.commune_id), t.name_fr;
