-- analytics.improvements: the rows of the export `improvement-improvements`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW improvements AS
SELECT improvement_id, title, service, team, feedback_id, incident_id, proposed_at, completed_at,
       outcome, position
  FROM improvement.improvements;

COMMENT ON VIEW improvements IS 'One row per improvement action, with what triggered it.';
