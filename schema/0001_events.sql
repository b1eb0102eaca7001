-- The event log: one append-only table. Its column names are a public contract that
-- exports and BI tools read; add columns, never rename or drop them.

-- CACHE 1 (the default) keeps positions in the order in which they were taken, which the
-- gap-free reading rule relies on (docs/architecture.md, "Ordering guarantee").
CREATE SEQUENCE events_global_position_seq AS bigint CACHE 1;

-- Every position comes from here: the inserting transaction's id is assigned first, then the
-- position taken. So whoever inserts, by whatever path, the owner of a position that readers
-- have not seen yet is listed among the running transactions of their snapshot.
CREATE FUNCTION events_next_position() RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_transaction xid8;
BEGIN
    v_transaction := pg_current_xact_id();
    RETURN nextval('events_global_position_seq');
END
$$;

CREATE TABLE events (
    global_position bigint      NOT NULL DEFAULT events_next_position(),
    event_id        uuid        NOT NULL,
    stream_id       text        COLLATE "C" NOT NULL,
    stream_version  bigint      NOT NULL,
    type            text        COLLATE "C" NOT NULL,
    schema_version  integer     NOT NULL DEFAULT 1,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}',
    -- Log time, taken per row when its position is taken; event time lives in data.
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The part of stream_id before the first '-': 'story' for 'story-PROJ-12'.
    category        text        COLLATE "C" GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
    CONSTRAINT events_pkey PRIMARY KEY (global_position),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_stream_version_positive CHECK (stream_version > 0),
    CONSTRAINT events_schema_version_positive CHECK (schema_version > 0),
    CONSTRAINT events_data_is_object CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT events_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object')
);

ALTER SEQUENCE events_global_position_seq OWNED BY events.global_position;

CREATE INDEX events_category_position_idx ON events (category, global_position);

COMMENT ON TABLE events IS 'Loopline event log: append-only, one row per lifecycle event.';
COMMENT ON COLUMN events.global_position IS 'Position in the whole log; increasing, may skip values of rolled-back appends.';
COMMENT ON COLUMN events.stream_version IS 'Position within the stream, 1 for its first event, without gaps.';
COMMENT ON COLUMN events.recorded_at IS 'When the log recorded the event (log time), not when it happened.';
