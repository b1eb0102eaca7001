-- analytics.commits: the rows of the export `integration-commits`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW commits AS
SELECT sha, service, team, branch, author, message, story_ids, pull_request, integrated_at,
       position
  FROM integration.commits;

COMMENT ON VIEW commits IS 'One row per integrated commit, with the stories it names.';
