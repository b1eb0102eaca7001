-- The monitoring read model (MonitoringProjection): metric breaches and incidents. Run in the
-- schema `monitoring`, or in a replay's shadow `monitoring_replay`, chosen by search_path: names
-- stay unqualified. Only what the projection's writes rely on is here (keys, and constraints its
-- writes expect); indexes only queries use are in indexes/monitoring.sql, built once after a
-- replay's bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change here raises
-- MonitoringProjection.version, which rebuilds the read model from the log.

CREATE TABLE breaches (
    -- The log position of the MetricBreached event that opened it.
    breach_id      bigint PRIMARY KEY,
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    metric         text COLLATE "C" NOT NULL,
    environment    text COLLATE "C",
    value          double precision NOT NULL,
    threshold      double precision NOT NULL,
    deployment_id  text COLLATE "C",
    breached_at    timestamptz NOT NULL,
    recovered_at   timestamptz,
    recovered_value double precision
);
-- At most one open breach per metric of a service (the metric's stream decides that too).
CREATE UNIQUE INDEX breaches_open_idx ON breaches (service, metric) WHERE recovered_at IS NULL;

CREATE TABLE incidents (
    incident_id    text COLLATE "C" PRIMARY KEY,
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    title          text COLLATE "C",
    severity       integer,
    deployment_id  text COLLATE "C",
    root_cause_sha text COLLATE "C",
    opened_at      timestamptz,
    resolved_at    timestamptz,
    resolution     text COLLATE "C",
    position       bigint NOT NULL
);
