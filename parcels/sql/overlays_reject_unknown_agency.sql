-- An agency code that names no agency is an error in the data, not a silent null.
DELETE FROM {staging}
WHERE agency IS NOT NULL AND agency_id IS NULL
RETURNING feature_fid, feature_reference, format('unknown agency code %%L', agency)
