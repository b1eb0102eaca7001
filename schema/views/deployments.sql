-- analytics.deployments: the rows of the export `delivery-deployments`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW deployments AS
SELECT deployment_id, service, team, environment, sha, build_id, version, status, started_at,
       finished_at, duration_seconds, reason, rolled_back_at, rollback_reason,
       rolled_back_to_version, rolled_back_to_sha, position
  FROM delivery.deployments;

COMMENT ON VIEW deployments IS 'One row per deployment to any environment, with its outcome and any rollback.';
