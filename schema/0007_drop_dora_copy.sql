-- DORA's facts are read from the stage models that hold them (integration.commits,
-- delivery.deployments, monitoring.incidents) instead of a read model of their own that kept a
-- second copy of each: the `dora` read model of earlier builds goes. Read models are rebuilt
-- from the log, so nothing is lost.
DROP SCHEMA IF EXISTS dora CASCADE;
DELETE FROM projections WHERE name = 'dora';
