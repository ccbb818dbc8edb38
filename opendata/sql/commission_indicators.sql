-- The window's commission sessions held, per commission (breakdown: its id) in its own territory, and for the
-- nation; the median and 90th percentile over the window's sessions.
WITH held AS (
    SELECT s.id, s.commission_id, m.territory_id,
           (SELECT count(*) FROM commissions_slot sl WHERE sl.session_id = s.id) AS offered,
           (SELECT count(*) FROM commissions_slotoccupancy o JOIN commissions_slot sl ON sl.id = o.slot_id
            WHERE sl.session_id = s.id) AS booked,
           (SELECT count(*) FROM commissions_examination e WHERE e.session_id = s.id) AS examined
    FROM commissions_session s JOIN commissions_commission m ON m.id = s.commission_id
    WHERE s.date >= %(day)s AND s.date < %(until)s AND s.status = %(held)s
), rows AS (
    SELECT 'sessions_held' AS indicator, NULL::float AS measure, h.* FROM held h
    UNION ALL SELECT 'slots_offered', offered, h.* FROM held h
    UNION ALL SELECT 'slots_booked', booked, h.* FROM held h
    UNION ALL SELECT 'files_examined_per_session', examined, h.* FROM held h
), grouped AS (
    SELECT indicator, territory_id, commission_id::text AS breakdown, count(*) AS count, sum(measure) AS value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY measure) AS median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY measure) AS p90
    FROM rows GROUP BY indicator, territory_id, commission_id
    UNION ALL
    SELECT indicator, NULL, '', count(*), sum(measure),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY measure),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY measure)
    FROM rows GROUP BY indicator
)
INSERT INTO opendata_indicatorsnapshot
    (period, day, indicator, procedure, territory_id, breakdown, count, value, median, p90)
SELECT %(period)s, %(day)s, indicator, '', territory_id, breakdown, count, value, median, p90 FROM grouped;
