-- Projections: one row per read model. Its checkpoint (`position`) moves in the same
-- transaction as the read model's tables, and only while the writer owns the lease, so after
-- a crash a projection resumes exactly where it stopped and two workers never both write.
CREATE TABLE projections (
    name          text        PRIMARY KEY,
    -- The shape of the read model's tables; a build with another version rebuilds them.
    version       integer     NOT NULL,
    -- Every event up to here has been applied.
    position      bigint      NOT NULL DEFAULT 0,
    -- running, or failed: an event could not be applied (see last_error); a replay resets it.
    state         text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'failed')),
    -- The worker that may write, and until when; another takes over once the lease lapses.
    owner         text,
    lease_until   timestamptz,
    -- {"position", "eventId", "type", "message", "at"} of the event that stopped it.
    last_error    jsonb,
    -- When the event at `position` was recorded (for the lag in seconds).
    position_recorded_at timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Moves a projection's checkpoint, fenced: only its owner, only from where it stands. Called
-- first in the transaction that writes the read model, so it also locks the row against a
-- concurrent takeover until that transaction ends; a fenced-off writer's changes roll back.
CREATE FUNCTION projection_advance(
    p_name text, p_owner text, p_from bigint, p_to bigint, p_recorded_at timestamptz, p_lease interval
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projections
       SET position = p_to, position_recorded_at = coalesce(p_recorded_at, position_recorded_at),
           lease_until = now() + p_lease, updated_at = now()
     WHERE name = p_name AND owner = p_owner AND position = p_from AND state = 'running';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'projection % is no longer owned by % at position %', p_name, p_owner, p_from
            USING ERRCODE = 'LL001';
    END IF;
END
$$;
