-- Features left without a parent (reported as warnings, imported all the same).
SELECT feature_fid, feature_reference, format('no %%s contains it: imported without a parent', %(parent_level)s::text)
FROM {staging}
WHERE parent_id IS NULL
