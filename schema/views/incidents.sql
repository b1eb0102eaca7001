-- analytics.incidents: the rows of the export `monitoring-incidents`, which reads this view
-- (docs/exports.md). Its columns are a contract: add columns, never rename or drop one;
-- AnalyticsDataset lists them in the same order (a test compares the two).
CREATE VIEW incidents AS
SELECT incident_id, service, team, title, severity, deployment_id, root_cause_sha, opened_at,
       resolved_at, resolution, position
  FROM monitoring.incidents;

COMMENT ON VIEW incidents IS 'One row per incident, open or resolved, with its links.';
