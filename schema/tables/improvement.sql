-- The improvement read model (ImprovementProjection): improvement actions and the triggers they
-- answer. Run in the schema `improvement`, or in a replay's shadow `improvement_replay`, chosen by
-- search_path: names stay unqualified. Only what the projection's writes rely on is here (keys, and
-- constraints its writes expect); indexes only queries use are in indexes/improvement.sql, built
-- once after a replay's bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change
-- here raises ImprovementProjection.version, which rebuilds the read model from the log.

CREATE TABLE improvements (
    improvement_id text COLLATE "C" PRIMARY KEY,
    title          text COLLATE "C" NOT NULL,
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    feedback_id    text COLLATE "C",
    incident_id    text COLLATE "C",
    proposed_at    timestamptz NOT NULL,
    completed_at   timestamptz,
    outcome        text COLLATE "C",
    position       bigint NOT NULL
);

-- When each possible trigger happened: feedback received, incident opened.
CREATE TABLE triggers (
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('feedback', 'incident')),
    id          text COLLATE "C" NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (kind, id)
);
