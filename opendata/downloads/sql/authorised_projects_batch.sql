-- One batch of the authorised projects (keyset on "id": each batch is its own short statement, no transaction held).
-- Only the public view, only public columns: never a name, an e-mail, a phone or a national id.
SELECT "id", "reference", "procedure", "procedure_name_fr", "procedure_name_ar", "procedure_name_en", "decision",
       "decision_date", "published_at", "use", "activity", "height_m", "floors", "gross_floor_area_m2", "units",
       "commune_code", "commune_name_fr", "commune_name_ar", ST_AsBinary("geom") AS "geometry"
FROM "geoportal"."authorised_projects"
WHERE "id" > %(after)s
ORDER BY "id"
LIMIT %(limit)s
