-- The integration read model's query indexes (IntegrationProjection): what only its queries use. A
-- live rebuild creates them with the tables; a replay builds them once its shadow is loaded and
-- logged (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified
-- names, like tables/integration.sql.

CREATE INDEX commits_service_time_idx ON commits (service, integrated_at);
CREATE INDEX commits_story_ids_idx ON commits USING gin (story_ids);
CREATE INDEX builds_service_finished_idx ON builds (service, finished_at);
CREATE INDEX builds_sha_idx ON builds (sha);
