-- The window's (a day, a month or a year) file and opinion indicators per procedure and commune, rolled up to
-- province, region and nation (and all procedures) by grouping sets. `kind` says what `value` is: count (none), measure (mean), sum, share.
WITH win AS (SELECT %(start)s::timestamptz AS start, %(end)s::timestamptz AS "end"),
facts AS (SELECT f.*, (f.decided_at >= win.start AND f.decided_at < win."end") AS decided_in,
                 (f.decision = ANY(%(authorising)s)) AS authorising
          FROM opendata_file_facts f, win),
long AS (
    SELECT 'filed' AS indicator, 'count' AS kind, '' AS breakdown, f.*, NULL::float AS measure
    FROM facts f, win WHERE f.filed_at >= win.start AND f.filed_at < win."end"
    UNION ALL SELECT 'completed', 'count', '', f.*, NULL FROM facts f, win
    WHERE f.completed_at >= win.start AND f.completed_at < win."end"
    UNION ALL SELECT 'decided', 'count', '', f.*, NULL FROM facts f WHERE decided_in
    UNION ALL SELECT 'authorised', 'count', '', f.*, NULL FROM facts f WHERE decided_in AND authorising
    UNION ALL SELECT 'refused', 'count', '', f.*, NULL FROM facts f
    WHERE decided_in AND f.decision = %(refusal)s
    UNION ALL SELECT 'tacitly_decided', 'count', '', f.*, NULL FROM facts f WHERE decided_in AND f.tacit
    UNION ALL SELECT 'withdrawn', 'count', '', f.*, NULL FROM facts f, win
    WHERE f.withdrawn_at >= win.start AND f.withdrawn_at < win."end"
    UNION ALL SELECT 'published', 'count', '', f.*, NULL FROM facts f, win
    WHERE f.published_at >= win.start AND f.published_at < win."end"
    UNION ALL SELECT 'decision_days', 'measure', '', f.*, extract(epoch FROM f.decided_at - f.filed_at) / 86400
    FROM facts f WHERE decided_in AND f.filed_at IS NOT NULL
    UNION ALL SELECT 'completeness_days', 'measure', '', f.*,
           extract(epoch FROM f.completed_at - f.filed_at) / 86400
    FROM facts f WHERE decided_in AND f.completed_at IS NOT NULL AND f.filed_at IS NOT NULL
    UNION ALL SELECT 'instruction_days', 'measure', '', f.*,
           extract(epoch FROM coalesce(f.commission_at, f.decided_at) - f.completed_at) / 86400
    FROM facts f WHERE decided_in AND f.completed_at IS NOT NULL
    UNION ALL SELECT 'commission_days', 'measure', '', f.*,
           extract(epoch FROM f.decided_at - f.commission_at) / 86400
    FROM facts f WHERE decided_in AND f.commission_at IS NOT NULL
    UNION ALL SELECT 'signature_days', 'measure', '', f.*, extract(epoch FROM f.signed_at - f.decided_at) / 86400
    FROM facts f, win WHERE f.signed_at >= win.start AND f.signed_at < win."end" AND f.decided_at IS NOT NULL
    UNION ALL SELECT 'decided_within_limit', 'share', '', f.*,
           CASE WHEN (f.decided_at AT TIME ZONE %(tz)s)::date <= f.decision_limit THEN 1 ELSE 0 END
    FROM facts f WHERE decided_in AND f.decision_limit IS NOT NULL
    UNION ALL SELECT 'remark_rounds', 'measure', '', f.*, f.remark_rounds FROM facts f WHERE decided_in
    UNION ALL SELECT 'authorised_floor_area_m2', 'sum', '', f.*, f.floor_area
    FROM facts f WHERE decided_in AND authorising AND f.floor_area IS NOT NULL
    UNION ALL SELECT 'authorised_footprint_m2', 'sum', '', f.*, f.footprint_area
    FROM facts f WHERE decided_in AND authorising AND f.footprint_area IS NOT NULL
    UNION ALL SELECT 'authorised_storeys', 'sum', '', f.*, f.floors
    FROM facts f WHERE decided_in AND authorising AND f.floors IS NOT NULL
    UNION ALL SELECT 'authorised_by_use', 'sum', f.use, f.*, f.floor_area
    FROM facts f WHERE decided_in AND authorising AND f.use <> ''
    UNION ALL SELECT 'authorised_by_activity', 'count', f.activity, f.*, NULL
    FROM facts f WHERE decided_in AND authorising AND f.activity IS NOT NULL AND f.activity <> ''
), opinions AS (
    SELECT CASE WHEN o.status = %(tacit_opinion)s THEN 'opinions_tacit'
                WHEN (o.given_at AT TIME ZONE %(tz)s)::date <= o.deadline THEN 'opinions_on_time'
                ELSE 'opinions_late' END AS indicator,
           a.code AS breakdown, p.code AS procedure, d.commune_id, c.parent_id AS province_id,
           pr.parent_id AS region_id, extract(epoch FROM o.given_at - o.dispatched_at) / 86400 AS measure
    FROM permits_consultation o
    JOIN permits_dossier d ON d.id = o.dossier_id
    JOIN parcels_agency a ON a.id = o.agency_id
    JOIN permits_procedure p ON p.id = d.procedure_id
    JOIN gis_core_territory c ON c.id = d.commune_id
    LEFT JOIN gis_core_territory pr ON pr.id = c.parent_id
    CROSS JOIN win
    WHERE o.given_at >= win.start AND o.given_at < win."end"
), rows AS (
    SELECT indicator, kind, breakdown, procedure, commune_id, province_id, region_id, measure FROM long
    UNION ALL SELECT indicator, 'count', breakdown, procedure, commune_id, province_id, region_id, measure
    FROM opinions
    UNION ALL SELECT 'opinion_days', 'measure', breakdown, procedure, commune_id, province_id, region_id, measure
    FROM opinions
), grouped AS (
    SELECT indicator, kind, breakdown,
           CASE WHEN grouping(procedure) = 0 THEN procedure ELSE '' END AS procedure,
           CASE WHEN grouping(commune_id) = 0 THEN 'commune' WHEN grouping(province_id) = 0 THEN 'province'
                WHEN grouping(region_id) = 0 THEN 'region' ELSE 'nation' END AS level,
           coalesce(
               CASE WHEN grouping(commune_id) = 0 THEN commune_id END,
               CASE WHEN grouping(province_id) = 0 THEN province_id END,
               CASE WHEN grouping(region_id) = 0 THEN region_id END) AS territory_id,
           count(*) AS count,
           CASE kind WHEN 'sum' THEN sum(measure) WHEN 'count' THEN NULL ELSE avg(measure) END AS value,
           CASE WHEN kind IN ('sum', 'measure')
                THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY measure) END AS median,
           CASE WHEN kind IN ('sum', 'measure')
                THEN percentile_cont(0.9) WITHIN GROUP (ORDER BY measure) END AS p90
    FROM rows
    GROUP BY indicator, kind, breakdown, GROUPING SETS (
        (procedure, commune_id), (procedure, province_id), (procedure, region_id), (procedure),
        (commune_id), (province_id), (region_id), ())
)
INSERT INTO opendata_indicatorsnapshot
    (period, day, indicator, procedure, territory_id, breakdown, count, value, median, p90)
SELECT %(period)s, %(day)s, indicator, procedure, territory_id, breakdown, count, value, median, p90
FROM grouped
WHERE level = 'nation' OR territory_id IS NOT NULL;
