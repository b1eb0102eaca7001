-- append_events: appends one or more events to one stream, atomically.
--
-- p_expected_version: NULL = any, -1 = the stream must exist, N >= 0 = the stream must be
-- at version N exactly (0 = it must not exist yet).
-- The arrays hold one element per event, in order. Each jsonb element is parsed on its own,
-- so no event's data can reach into another's.
--
-- Errors: SQLSTATE LL001 wrong expected version (DETAIL 'actual_version=N').
-- A duplicate event id fails the INSERT with 23505 on events_event_id_key; the caller then
-- looks the originals up (the failed transaction wrote nothing).
CREATE FUNCTION append_events(
    p_stream_id text,
    p_expected_version bigint,
    p_event_ids uuid[],
    p_types text[],
    p_schema_versions integer[],
    p_data jsonb[],
    p_metadata jsonb[]
)
RETURNS TABLE (event_id uuid, stream_version bigint, global_position bigint, recorded_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_current bigint;
BEGIN
    -- Ordering guarantee, step 1: take the transaction id before any position, so that the
    -- owner of every position a reader has not yet seen is listed in that reader's snapshot.
    PERFORM pg_current_xact_id();

    -- One appender per stream at a time (a lock per stream, never a global one); the next
    -- appender then reads the version this one committed. Lock class 1280070740 = 'LLST'.
    PERFORM pg_advisory_xact_lock(1280070740, hashtext(p_stream_id));

    SELECT coalesce(max(e.stream_version), 0) INTO v_current
    FROM events e WHERE e.stream_id = p_stream_id;

    IF (p_expected_version = -1 AND v_current = 0)
       OR (p_expected_version >= 0 AND v_current <> p_expected_version) THEN
        RAISE EXCEPTION 'wrong expected version for stream %: expected %, actual %',
            p_stream_id,
            CASE p_expected_version WHEN -1 THEN 'exists' WHEN 0 THEN 'no-stream' ELSE p_expected_version::text END,
            v_current
            USING ERRCODE = 'LL001', DETAIL = 'actual_version=' || v_current;
    END IF;

    RETURN QUERY
    INSERT INTO events AS e (event_id, stream_id, stream_version, type, schema_version, data, metadata)
    SELECT x.id, p_stream_id, v_current + x.ord, x.type, x.schema_version, x.data, x.metadata
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
         WITH ORDINALITY AS x(id, type, schema_version, data, metadata, ord)
    RETURNING e.event_id, e.stream_version, e.global_position, e.recorded_at;
END
$$;
