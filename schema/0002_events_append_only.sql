-- The log is immutable: the database itself refuses UPDATE, DELETE and TRUNCATE on events,
-- whoever connects. The triggers fire ALWAYS, so session_replication_role = replica does
-- not bypass them either; only a deliberate DROP TRIGGER (DDL, by the owner) could.

CREATE FUNCTION events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is not allowed', TG_OP
        USING ERRCODE = 'LL003',
              HINT = 'Record a new event that corrects or compensates instead.';
END
$$;

CREATE TRIGGER events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();

CREATE TRIGGER events_refuse_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;

REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;
