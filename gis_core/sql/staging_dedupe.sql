-- A key repeated inside one file: the last feature wins, the earlier ones are removed and reported.
DELETE FROM {staging} AS staged
USING (
    SELECT
        ranked.feature_index,
        ranked.kept_fid
    FROM (
        SELECT
            feature_index,
            row_number() OVER same_key AS position,
            first_value(feature_fid) OVER same_key AS kept_fid
        FROM {staging}
        WINDOW same_key AS (PARTITION BY {keys} ORDER BY feature_index DESC)
    ) AS ranked
    WHERE ranked.position > 1
) AS duplicate
WHERE staged.feature_index = duplicate.feature_index
RETURNING
    staged.feature_fid,
    staged.feature_reference,
    format(%(label)s || ' %%s repeated in the file: feature %%s is kept', staged.feature_reference, duplicate.kept_fid)
