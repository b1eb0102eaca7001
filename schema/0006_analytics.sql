-- The analytics schema: stable views over the log and the read models for BI tools and
-- notebooks (see docs/exports.md). The views themselves are created by loopline, because a
-- read model's rebuild or replay replaces its tables and the views over them are recreated in
-- the same transaction (AnalyticsViews.refresh). Only roles granted USAGE may read it.
CREATE SCHEMA analytics;
REVOKE ALL ON SCHEMA analytics FROM PUBLIC;
COMMENT ON SCHEMA analytics IS 'Loopline: read-only views for BI tools (docs/exports.md)';
