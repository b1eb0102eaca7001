-- The testing read model's query indexes (TestingProjection): what only its queries use. A live
-- rebuild creates them with the tables; a replay builds them once its shadow is loaded and logged
-- (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified names,
-- like tables/testing.sql.

CREATE INDEX runs_suite_sha_idx ON runs (service, suite, sha);
CREATE INDEX runs_completed_at_idx ON runs (completed_at);
CREATE INDEX failures_test_idx ON failures (test_name);
-- A constraint its writes do not rely on: checked once over the loaded rows, not row by row.
ALTER TABLE failures ADD FOREIGN KEY (run_id) REFERENCES runs;
