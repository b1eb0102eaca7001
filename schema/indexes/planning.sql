-- The planning read model's query indexes (PlanningProjection): what only its queries use. A live
-- rebuild creates them with the tables; a replay builds them once its shadow is loaded and logged
-- (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified names,
-- like tables/planning.sql.

CREATE INDEX stories_status_priority_idx ON stories (status, priority, created_at);
CREATE INDEX stories_completed_at_idx ON stories (completed_at) WHERE completed_at IS NOT NULL;
