-- The delivery read model (DeliveryProjection): deployments with their outcome, and releases. Run
-- in the schema `delivery`, or in a replay's shadow `delivery_replay`, chosen by search_path: names
-- stay unqualified. Only what the projection's writes rely on is here (keys, and constraints its
-- writes expect); indexes only queries use are in indexes/delivery.sql, built once after a replay's
-- bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change here raises
-- DeliveryProjection.version, which rebuilds the read model from the log.

CREATE TABLE deployments (
    deployment_id    text COLLATE "C" PRIMARY KEY,
    service          text COLLATE "C" NOT NULL,
    team             text COLLATE "C",
    environment      text COLLATE "C" NOT NULL,
    sha              text COLLATE "C" NOT NULL,
    build_id         text COLLATE "C",
    version          text COLLATE "C",
    -- started, succeeded, failed, rolled_back
    status           text COLLATE "C" NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    duration_seconds double precision,
    reason           text COLLATE "C",
    rolled_back_at   timestamptz,
    rollback_reason  text COLLATE "C",
    rolled_back_to_version text COLLATE "C",
    rolled_back_to_sha     text COLLATE "C",
    position         bigint NOT NULL
);

CREATE TABLE releases (
    release_id     text COLLATE "C" PRIMARY KEY,
    version        text COLLATE "C" NOT NULL,
    sha            text COLLATE "C",
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    deployment_ids text[] COLLATE "C" NOT NULL,
    notes          text COLLATE "C",
    published_at   timestamptz NOT NULL,
    position       bigint NOT NULL
);
