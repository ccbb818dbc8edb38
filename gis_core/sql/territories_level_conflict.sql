-- A code that already names a territory of another level is refused, not silently moved.
DELETE FROM {staging} AS staged
USING {territory} AS existing
WHERE existing.code = staged.code AND existing.level <> %(level)s
RETURNING staged.feature_fid, staged.feature_reference,
    format('code %%s already names a %%s', staged.code, existing.level)
