-- What identifies the dataset's current content: its size, its ids and its latest publication.
SELECT count(*), coalesce(sum("id"), 0), max("published_at")
FROM "geoportal"."authorised_projects"
