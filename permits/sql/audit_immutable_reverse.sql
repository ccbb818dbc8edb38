DROP TRIGGER IF EXISTS permits_audit_event_immutable ON "permits_auditevent";
DROP FUNCTION IF EXISTS permits_audit_event_immutable();
