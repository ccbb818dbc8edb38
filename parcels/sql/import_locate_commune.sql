-- The commune that contains each feature's point-on-surface (the smallest one where communes overlap).
UPDATE {staging} AS staged
SET commune_id = (
    SELECT commune.id
    FROM {territory} AS commune
    WHERE commune.level = 'commune'
      AND ST_Contains(commune.geom, ST_PointOnSurface(staged.geom))
    ORDER BY commune.area_m2
    LIMIT 1
)
