-- analytics.builds: the rows of the export `integration-builds`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW builds AS
SELECT build_id, sha, service, team, status, started_at, finished_at, duration_seconds, reason,
       position
  FROM integration.builds;

COMMENT ON VIEW builds IS 'One row per build: status and duration.';
