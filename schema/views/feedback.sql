-- analytics.feedback: the rows of the export `feedback-feedback`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW feedback AS
SELECT feedback_id, source, rating, text, story_id, release_id, service, team, received_at,
       improvement_id, answered_at, position
  FROM feedback.feedback;

COMMENT ON VIEW feedback IS 'One row per piece of feedback, with its links and the improvement that answered it.';
