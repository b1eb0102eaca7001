-- Idempotency keys of commands: a retried command with the same key and the same body gets
-- the stored outcome; the same key with another body is refused. Keys are scoped per token.
CREATE TABLE command_idempotency (
    token_id     uuid        NOT NULL,
    key          text        NOT NULL,
    request_hash bytea       NOT NULL,
    -- The HTTP status and JSON body of the outcome; NULL while the first attempt runs.
    status       integer,
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT command_idempotency_pkey PRIMARY KEY (token_id, key)
);

CREATE INDEX command_idempotency_created_at_idx ON command_idempotency (created_at);
