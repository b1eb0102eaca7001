-- The delivery read model's query indexes (DeliveryProjection): what only its queries use. A live
-- rebuild creates them with the tables; a replay builds them once its shadow is loaded and logged
-- (ShadowSchemas.complete), far cheaper than keeping them up to date row by row. Unqualified names,
-- like tables/delivery.sql.

CREATE INDEX deployments_service_env_idx ON deployments (service, environment, finished_at);
