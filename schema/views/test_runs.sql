-- analytics.test_runs: the rows of the export `testing-runs`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW test_runs AS
SELECT run_id, suite, sha, build_id, service, team, passed, failed, skipped, duration_seconds,
       completed_at, position
  FROM testing.runs;

COMMENT ON VIEW test_runs IS 'One row per completed test-suite run.';
