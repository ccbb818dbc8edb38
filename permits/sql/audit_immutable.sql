-- The audit trail is append-only: any UPDATE or DELETE of an event raises, whoever runs it.
-- (TRUNCATE is left to the table owner, which the application's runtime role should not be in production.)
CREATE OR REPLACE FUNCTION permits_audit_event_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permits_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS permits_audit_event_immutable ON "permits_auditevent";
CREATE TRIGGER permits_audit_event_immutable
    BEFORE UPDATE OR DELETE ON "permits_auditevent"
    FOR EACH ROW EXECUTE FUNCTION permits_audit_event_immutable();
