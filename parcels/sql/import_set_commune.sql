-- Every staged feature belongs to the commune given on the command line.
UPDATE {staging} SET commune_id = %(commune_id)s
