-- One batch of indicator figures of one period and some indicators, optionally of one territory (a code, or
-- 'nation') and one procedure (a code, or '' for all procedures together). Keyset on "day", "id": each batch is
-- its own short statement. Aggregates only.
SELECT "id", "period", "day", "indicator", "procedure_code", "procedure_name_fr", "procedure_name_ar",
       "procedure_name_en", "territory_level", "territory_code", "territory_name_fr", "territory_name_ar",
       "territory_name_en", "breakdown_code", "breakdown_name_fr", "breakdown_name_ar", "breakdown_name_en",
       "count", "value", "median", "p90"
FROM "geoportal"."indicator_snapshots"
WHERE "period" = %(period)s AND "indicator" = ANY(%(indicators)s)
  AND (%(territory)s::text IS NULL OR "territory_code" = %(territory)s
       OR (%(territory)s = 'nation' AND "territory_level" = 'nation'))
  AND (%(procedure)s::text IS NULL OR "procedure_code" = %(procedure)s)
  AND ("day", "id") > (%(after_day)s, %(after_id)s)
ORDER BY "day", "id"
LIMIT %(limit)s
