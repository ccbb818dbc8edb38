-- The first and last decision dates of the authorised projects: the dataset's temporal coverage.
SELECT min("decision_date"), max("decision_date")
FROM "geoportal"."authorised_projects"
