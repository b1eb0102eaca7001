-- The feedback read model (FeedbackProjection): feedback with its links, and improvements waiting
-- for it. Run in the schema `feedback`, or in a replay's shadow `feedback_replay`, chosen by
-- search_path: names stay unqualified. Only what the projection's writes rely on is here (keys, and
-- constraints its writes expect); indexes only queries use are in indexes/feedback.sql, built once
-- after a replay's bulk load. Text columns are COLLATE "C" (docs/read-models.md). A change here
-- raises FeedbackProjection.version, which rebuilds the read model from the log.

CREATE TABLE feedback (
    feedback_id    text COLLATE "C" PRIMARY KEY,
    source         text COLLATE "C" NOT NULL,
    -- 1 (worst) to 5 (best); 1 and 2 count as negative.
    rating         integer NOT NULL,
    text           text COLLATE "C",
    story_id       text COLLATE "C",
    release_id     text COLLATE "C",
    service        text COLLATE "C" NOT NULL,
    team           text COLLATE "C",
    received_at    timestamptz NOT NULL,
    -- The first improvement proposed for it, and when.
    improvement_id text COLLATE "C",
    answered_at    timestamptz,
    position       bigint NOT NULL
);

-- Improvements proposed for feedback not (yet) recorded, applied when it arrives.
CREATE TABLE pending_answers (
    feedback_id    text COLLATE "C" PRIMARY KEY,
    improvement_id text COLLATE "C" NOT NULL,
    answered_at    timestamptz NOT NULL
);
