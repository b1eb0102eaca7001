-- The testing read model (TestingProjection): test runs and the tests that failed in them. Run in
-- the schema `testing`, or in a replay's shadow `testing_replay`, chosen by search_path: names stay
-- unqualified. Only what the projection's writes rely on is here (keys, and constraints its writes
-- expect); indexes only queries use are in indexes/testing.sql, built once after a replay's bulk
-- load. Text columns are COLLATE "C" (docs/read-models.md). A change here raises
-- TestingProjection.version, which rebuilds the read model from the log.

CREATE TABLE runs (
    run_id           text COLLATE "C" PRIMARY KEY,
    suite            text COLLATE "C" NOT NULL,
    sha              text COLLATE "C" NOT NULL,
    build_id         text COLLATE "C",
    service          text COLLATE "C" NOT NULL,
    team             text COLLATE "C",
    passed           integer NOT NULL,
    failed           integer NOT NULL,
    skipped          integer NOT NULL,
    duration_seconds double precision,
    completed_at     timestamptz NOT NULL,
    position         bigint NOT NULL
);

CREATE TABLE failures (
    run_id    text COLLATE "C" NOT NULL,
    test_name text COLLATE "C" NOT NULL,
    PRIMARY KEY (run_id, test_name)
);
