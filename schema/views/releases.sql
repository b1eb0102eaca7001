-- analytics.releases: the rows of the export `delivery-releases`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW releases AS
SELECT release_id, version, sha, service, team, deployment_ids, notes, published_at, position
  FROM delivery.releases;

COMMENT ON VIEW releases IS 'One row per published release.';
