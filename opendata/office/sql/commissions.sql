-- Per commission of the scope (its territory one of `territories`: the scope's communes and the provinces and regions
-- above them, or below a regional scope; every commission when null): the sessions held in the period, the slots
-- they offered and those booked, the files examined; and the days in commission (sent to commission to decision) of
-- the scope's files decided in the period, examined by that commission (its last examination). Reads
-- `opendata_file_facts`.
WITH held AS (
    SELECT s.id, s.commission_id,
           (SELECT count(*) FROM commissions_slot sl WHERE sl.session_id = s.id) AS offered,
           (SELECT count(*) FROM commissions_slotoccupancy o JOIN commissions_slot sl ON sl.id = o.slot_id
            WHERE sl.session_id = s.id) AS booked,
           (SELECT count(*) FROM commissions_examination e WHERE e.session_id = s.id) AS examined
    FROM commissions_session s
    WHERE s.date >= %(first)s AND s.date <= %(last)s AND s.status = %(held)s
), sessions AS (
    SELECT commission_id, count(*) AS held, sum(offered) AS offered, sum(booked) AS booked,
           sum(examined) AS examined
    FROM held GROUP BY commission_id
), waits AS (
    SELECT DISTINCT ON (f.dossier_id) s.commission_id,
           extract(epoch FROM f.decided_at - f.commission_at) / 86400 AS days
    FROM opendata_file_facts f
    JOIN commissions_examination e ON e.dossier_id = f.dossier_id
    JOIN commissions_session s ON s.id = e.session_id
    WHERE f.decided_at >= %(start)s AND f.decided_at < %(end)s AND f.commission_at IS NOT NULL
    ORDER BY f.dossier_id, s.starts_at DESC
), times AS (
    SELECT commission_id, count(*) AS files,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
    FROM waits GROUP BY commission_id
)
SELECT m.id, m.name_fr, m.name_ar, coalesce(s.held, 0), coalesce(s.offered, 0), coalesce(s.booked, 0),
       coalesce(s.examined, 0), coalesce(t.files, 0), t.median, t.p90
FROM commissions_commission m
LEFT JOIN sessions s ON s.commission_id = m.id
LEFT JOIN times t ON t.commission_id = m.id
WHERE %(territories)s::bigint[] IS NULL OR m.territory_id = ANY(%(territories)s::bigint[])
ORDER BY m.name_fr, m.id;
