-- The monitoring read model's query indexes (MonitoringProjection): what only its queries use. A
-- live rebuild creates them with the tables; a replay builds them once its shadow is loaded and
-- logged (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified
-- names, like tables/monitoring.sql.

CREATE INDEX incidents_service_opened_idx ON incidents (service, opened_at);
