-- analytics.breaches: the rows of the export `monitoring-breaches`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW breaches AS
SELECT breach_id, service, team, metric, environment, value, threshold, deployment_id, breached_at,
       recovered_at, recovered_value
  FROM monitoring.breaches;

COMMENT ON VIEW breaches IS 'One row per metric breach, open (recovered_at empty) or recovered.';
