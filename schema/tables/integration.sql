-- The integration read model (IntegrationProjection): commits and builds. Run in the schema
-- `integration`, or in a replay's shadow `integration_replay`, chosen by search_path: names stay
-- unqualified. Only what the projection's writes rely on is here (keys, and constraints its writes
-- expect); indexes only queries use are in indexes/integration.sql, built once after a replay's
-- bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change here raises
-- IntegrationProjection.version, which rebuilds the read model from the log.

CREATE TABLE commits (
    sha           text COLLATE "C" PRIMARY KEY,
    service       text COLLATE "C" NOT NULL,
    team          text COLLATE "C",
    branch        text COLLATE "C" NOT NULL,
    author        text COLLATE "C",
    message       text COLLATE "C",
    story_ids     text[] COLLATE "C" NOT NULL,
    pull_request  text COLLATE "C",
    integrated_at timestamptz NOT NULL,
    position      bigint NOT NULL
);

CREATE TABLE builds (
    build_id         text COLLATE "C" PRIMARY KEY,
    sha              text COLLATE "C" NOT NULL,
    service          text COLLATE "C" NOT NULL,
    team             text COLLATE "C",
    -- running, passed, failed
    status           text COLLATE "C" NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    -- As reported, else finished_at - started_at when both are known.
    duration_seconds double precision,
    reason           text COLLATE "C",
    position         bigint NOT NULL
);
