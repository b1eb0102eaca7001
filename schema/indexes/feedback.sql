-- The feedback read model's query indexes (FeedbackProjection): what only its queries use. A live
-- rebuild creates them with the tables; a replay builds them once its shadow is loaded and logged
-- (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified names,
-- like tables/feedback.sql.

CREATE INDEX feedback_service_received_idx ON feedback (service, received_at);
