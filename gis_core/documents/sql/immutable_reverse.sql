DROP TRIGGER IF EXISTS documents_storeddocument_immutable ON "documents_storeddocument";
DROP FUNCTION IF EXISTS documents_refuse_change();
