-- The first and last decision day of the authorised projects (the dataset's temporal coverage).
SELECT min("decision_date"), max("decision_date")
FROM "geoportal"."authorised_projects"
