-- The days the indicators cover (their successful daily refreshes) and the end of the latest successful refresh.
SELECT min("day") FILTER (WHERE "period" = 'day'), max("day") FILTER (WHERE "period" = 'day'), max("finished_at")
FROM "geoportal"."indicator_refreshes"
