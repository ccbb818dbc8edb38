DROP TRIGGER IF EXISTS permits_dossier_document_immutable ON "permits_dossierdocument";
DROP FUNCTION IF EXISTS permits_dossier_document_immutable();
