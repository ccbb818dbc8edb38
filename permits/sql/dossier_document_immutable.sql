-- Upload records of a file are append-only, like the stored versions they point at: UPDATE and DELETE raise.
CREATE OR REPLACE FUNCTION permits_dossier_document_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permits_dossierdocument is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS permits_dossier_document_immutable ON "permits_dossierdocument";
CREATE TRIGGER permits_dossier_document_immutable
    BEFORE UPDATE OR DELETE ON "permits_dossierdocument"
    FOR EACH ROW EXECUTE FUNCTION permits_dossier_document_immutable();
