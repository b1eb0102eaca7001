-- Ingest sources: the tools that push webhooks (GitHub, CloudEvents emitters). A source's
-- secret must be readable to check signatures, so it is stored sealed (AES-256-GCM) under a
-- key kept outside the database (docs/ingest.md), never as plain text.
CREATE TABLE ingest_sources (
    id             uuid        PRIMARY KEY,
    name           text        NOT NULL,
    kind           text        NOT NULL,
    settings       jsonb       NOT NULL,
    secret_sealed  bytea       NOT NULL,
    secret_key_id  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    secret_set_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz,
    CONSTRAINT ingest_sources_name_format CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    CONSTRAINT ingest_sources_settings_object CHECK (jsonb_typeof(settings) = 'object')
);

-- A name identifies one live source; deleted ones keep theirs for their deliveries' record.
CREATE UNIQUE INDEX ingest_sources_active_name_key ON ingest_sources (name) WHERE deleted_at IS NULL;

-- Every delivery and what became of it, keyed by the tool's own delivery id, so a
-- redelivery gets the first answer and writes nothing. Bodies are kept for dead letters only
-- (they are what a retry maps again); headers are kept without secrets.
CREATE TABLE ingest_deliveries (
    id            uuid        PRIMARY KEY,
    source_id     uuid        NOT NULL REFERENCES ingest_sources (id),
    delivery_key  text        NOT NULL,
    event         text        NOT NULL,
    disposition   text        NOT NULL,
    reason        text,
    answer        jsonb,
    headers       jsonb       NOT NULL,
    body          bytea,
    attempts      integer     NOT NULL DEFAULT 1,
    received_at   timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ingest_deliveries_source_key UNIQUE (source_id, delivery_key),
    CONSTRAINT ingest_deliveries_disposition_known
        CHECK (disposition IN ('processing', 'recorded', 'ignored', 'dead-lettered'))
);

CREATE INDEX ingest_deliveries_dead_letters_idx ON ingest_deliveries (received_at) WHERE disposition = 'dead-lettered';
