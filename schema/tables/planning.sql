-- The planning read model (PlanningProjection): every story with its status, priority and the times
-- it moved. Run in the schema `planning`, or in a replay's shadow `planning_replay`, chosen by
-- search_path: names stay unqualified. Only what the projection's writes rely on is here (keys, and
-- constraints its writes expect); indexes only queries use are in indexes/planning.sql, built once
-- after a replay's bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change here
-- raises PlanningProjection.version, which rebuilds the read model from the log.

CREATE TABLE stories (
    story_id       text COLLATE "C" PRIMARY KEY,
    title          text COLLATE "C" NOT NULL,
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    -- 1 (highest) to 5.
    priority       integer NOT NULL,
    -- backlog, in_progress, done, cancelled
    status         text COLLATE "C" NOT NULL,
    created_at     timestamptz NOT NULL,
    prioritized_at timestamptz,
    started_at     timestamptz,
    completed_at   timestamptz,
    cancelled_at   timestamptz,
    cancel_reason  text COLLATE "C",
    -- The log position of the last event applied to the row.
    position       bigint NOT NULL
);
