-- analytics.events: the log itself, with the service and team its events concern. Always there
-- (the other views exist while the read models they read do).
CREATE VIEW events AS
SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at,
       data->>'service' AS service, data->>'team' AS team
  FROM public.events;

COMMENT ON VIEW events IS 'One row per event of the log (append-only; data and metadata as jsonb).';
