-- analytics.test_failures: the rows of the export `testing-failures`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW test_failures AS
SELECT f.run_id, test_name, suite, sha, service, team, completed_at, position
  FROM testing.failures f
  JOIN testing.runs r ON r.run_id = f.run_id;

COMMENT ON VIEW test_failures IS 'One row per failed test of a run.';
