-- API tokens: only a SHA-256 hash of each secret is stored, never the secret itself.
-- Scopes: 'ingest' (send commands), 'read' (read the log and read models), 'admin' (everything).
CREATE TABLE api_tokens (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    scopes       text[]      NOT NULL,
    token_hash   bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_scopes_known CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[] AND cardinality(scopes) > 0),
    CONSTRAINT api_tokens_name_length CHECK (length(name) BETWEEN 1 AND 100)
);

-- A name identifies one active token; revoked ones keep theirs for the record.
CREATE UNIQUE INDEX api_tokens_active_name_key ON api_tokens (name) WHERE revoked_at IS NULL;
