-- Stored documents are written once: refuse UPDATE and DELETE of documents_storeddocument rows,
-- whoever issues them (the ORM already refuses; this guards raw SQL and other clients).
CREATE OR REPLACE FUNCTION documents_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = 'stored documents are immutable: ' || TG_OP || ' refused on ' || TG_TABLE_NAME;
END;
$$;

DROP TRIGGER IF EXISTS documents_storeddocument_immutable ON "documents_storeddocument";
CREATE TRIGGER documents_storeddocument_immutable
    BEFORE UPDATE OR DELETE ON "documents_storeddocument"
    FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
