-- analytics.stories: the rows of the export `planning-stories`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW stories AS
SELECT story_id, title, service, team, priority, status, created_at, prioritized_at, started_at,
       completed_at, cancelled_at, cancel_reason, position
  FROM planning.stories;

COMMENT ON VIEW stories IS 'One row per story: its status, priority and the times it moved.';
