-- A feature in no commune cannot be stored: reject it with the reason.
DELETE FROM {staging}
WHERE commune_id IS NULL
RETURNING feature_fid, feature_reference, 'outside every commune (its point-on-surface is in no commune territory)'
