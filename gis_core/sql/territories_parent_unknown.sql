-- A parent code that names no territory of the level above: the feature is rejected.
DELETE FROM {staging} AS staged
WHERE staged.parent_code IS NOT NULL AND staged.parent_id IS NULL
RETURNING staged.feature_fid, staged.feature_reference,
    format('parent code %%s names no %%s', staged.parent_code, %(parent_level)s::text)
