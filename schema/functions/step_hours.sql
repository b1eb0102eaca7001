-- The hours from one step of a story's value stream to the next, as the per-story query
-- (ValueStreamQuery) computes them: rounded to 0.01, and null unless `p_to` is at or after
-- `p_from` (a missing or out-of-order step has no duration). Used by views/value_stream.sql.
--
-- A single-expression IMMUTABLE SQL function, so the planner inlines it into the view's query:
-- it costs what the expression written out would. CREATE OR REPLACE, run before the views at
-- every refresh (AnalyticsViews.refresh): keep its signature and result type, or drop the view
-- that uses it first.
CREATE OR REPLACE FUNCTION step_hours(p_from timestamptz, p_to timestamptz) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_to >= p_from THEN round((extract(epoch FROM p_to - p_from) / 3600)::numeric, 2) END
$$;
