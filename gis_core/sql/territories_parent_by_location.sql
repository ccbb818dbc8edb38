-- Without a parent code: the territory of the level above that contains the feature's point-on-surface.
UPDATE {staging} AS staged
SET parent_id = (
    SELECT parent.id
    FROM {territory} AS parent
    WHERE parent.level = %(parent_level)s
      AND ST_Contains(parent.geom, ST_PointOnSurface(staged.geom))
    ORDER BY parent.area_m2
    LIMIT 1
)
WHERE staged.parent_code IS NULL
