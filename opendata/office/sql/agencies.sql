-- Per consulted agency, over the files of the scope's communes (all when null): the opinions given in the period
-- on or before their deadline, after it, or tacit (the deadline passed), the median and 90th percentile of the days
-- from dispatch to opinion, and the consultations pending now. The daily indicators' definitions (docs/opendata.md).
WITH scoped AS (
    SELECT o.agency_id, o.status, o.deadline, o.given_at,
           (o.given_at >= %(start)s AND o.given_at < %(end)s) AS given_in,
           extract(epoch FROM o.given_at - o.dispatched_at) / 86400 AS days
    FROM permits_consultation o
    JOIN permits_dossier d ON d.id = o.dossier_id
    WHERE (%(communes)s::bigint[] IS NULL OR d.commune_id = ANY(%(communes)s::bigint[]))
      AND ((o.given_at >= %(start)s AND o.given_at < %(end)s) OR o.status = %(pending)s)
)
SELECT a.id, a.code, a.name_fr, a.name_ar, a.name_en,
       count(*) FILTER (WHERE s.given_in AND s.status <> %(tacit_opinion)s
                              AND (s.given_at AT TIME ZONE %(tz)s)::date <= s.deadline) AS on_time,
       count(*) FILTER (WHERE s.given_in AND s.status <> %(tacit_opinion)s
                              AND (s.given_at AT TIME ZONE %(tz)s)::date > s.deadline) AS late,
       count(*) FILTER (WHERE s.given_in AND s.status = %(tacit_opinion)s) AS tacit,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.given_in) AS median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.given_in) AS p90,
       count(*) FILTER (WHERE s.status = %(pending)s) AS pending
FROM scoped s
JOIN parcels_agency a ON a.id = s.agency_id
GROUP BY a.id
ORDER BY a.code;
