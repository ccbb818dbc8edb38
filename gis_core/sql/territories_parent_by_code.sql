-- The parent named by the mapped `parent_code`, at the level above.
UPDATE {staging} AS staged
SET parent_id = parent.id
FROM {territory} AS parent
WHERE parent.code = staged.parent_code AND parent.level = %(parent_level)s
