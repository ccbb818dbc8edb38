-- Whether a filter's territory code and procedure code are published ones.
SELECT EXISTS (SELECT 1 FROM "geoportal"."territories" WHERE "code" = %(territory)s),
       EXISTS (SELECT 1 FROM "geoportal"."procedures" WHERE "code" = %(procedure)s)
