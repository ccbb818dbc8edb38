-- The agency named by code, or the default agency for the overlay's kind (shipped agencies fixture).
UPDATE {staging} AS staged
SET agency_id = CASE
    WHEN staged.agency IS NOT NULL THEN (SELECT agency.id FROM {agency_table} AS agency WHERE agency.code = staged.agency)
    ELSE (
        SELECT agency.id FROM {agency_table} AS agency
        WHERE staged.kind = ANY(agency.default_for_kinds)
        ORDER BY agency.id
        LIMIT 1
    )
END
