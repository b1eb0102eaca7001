-- analytics.value_stream: the value stream of every story as rows, one per story in
-- planning.stories, with the figures ValueStreamQuery gives that story for environment
-- `production` (the same rules and the same rounding; docs/read-models.md, "Value stream of a
-- story"). The export `value-stream` reads this view; its columns are a contract, listed in the
-- same order by ValueStreamRows.columns (a test compares the two).
--
-- It works on sets. The per-story query probes each table once per story. Here each table is read
-- once and joined by hash:
-- - a story's commits come from unnesting `story_ids`, once for all stories;
-- - final commit, first passed build and first reach per environment are `DISTINCT ON` or window
--   picks;
-- - releases, incidents, feedback and improvements are `(story_id, id)` pairs, deduplicated with
--   `UNION` as the per-story query's `IN`/`&&` filters would, then counted.
--
-- Reaching an environment is the only hard part. A successful deployment contains a commit
-- integrated at t when its cutoff and its finish are both at or after t, so when
-- `reach = least(cutoff, finished_at) >= t`. We want the first such deployment by
-- (`finished_at`, `deployment_id`). That deployment always has a reach above every earlier
-- deployment's: call such deployments *records*. Records' reaches rise in finish order. So the
-- answer is the record with the least reach >= t. Sorting commits and records by time, latest
-- first, per (service, environment) finds it: a commit belongs to the last record before it. A
-- join on `reach >= t` would instead compare every commit with every deployment of its service.
--
-- Planner estimates: PostgreSQL 15 expects `unnest` of a column to give 10 elements, and a join of
-- two derived sets to match 1/200 of their pairs. Left alone, that made it expect 20 million rows
-- and JIT-compile the query (1.8 s instead of 0.2 s on 100,000 events). So each unnest has a
-- `LIMIT cardinality(…)`, which changes nothing but brings the estimate near one element. And the
-- release and incident links join base tables, which have statistics, where they can.
--
-- Columns: the story; `final_sha` and `commits`; when the final commit was built, tested (only a
-- test at or after the build counts), reached production and was released; the six steps' hours
-- (functions/step_hours.sql: null exactly when the per-story step's `hours` is null);
-- `bottleneck`; `lead_time_hours`; and the counts of the story's incidents, feedback and
-- improvements.
CREATE VIEW value_stream AS
WITH story_commits AS (
    -- DISTINCT: a commit belongs once to each story it names, as with story_ids @> ARRAY[id].
    -- LIMIT cardinality(…) only helps the planner's estimate (see above).
    SELECT u.story_id, c.sha, c.service, c.integrated_at
      FROM integration.commits c
     CROSS JOIN LATERAL (SELECT DISTINCT story_id FROM unnest(c.story_ids) AS u(story_id)
                          LIMIT cardinality(c.story_ids)) u
     WHERE u.story_id IN (SELECT story_id FROM planning.stories)
),
final AS (
    SELECT DISTINCT ON (story_id) story_id, sha, service, integrated_at
      FROM story_commits ORDER BY story_id, integrated_at DESC, sha DESC
),
built AS (
    SELECT DISTINCT ON (sha) sha, finished_at FROM integration.builds
     WHERE status = 'passed' AND sha IN (SELECT sha FROM final)
     ORDER BY sha, finished_at, build_id
),
tested AS (
    SELECT sha, max(completed_at) AS at FROM testing.runs WHERE sha IN (SELECT sha FROM final) GROUP BY sha
),
records AS (
    -- Successful deployments whose reach beats every earlier one of their service and environment.
    SELECT deployment_id, service, environment, finished_at, reach
      FROM (SELECT d.deployment_id, d.service, d.environment, d.finished_at,
                   least(coalesce(c.integrated_at, d.finished_at), d.finished_at) AS reach,
                   max(least(coalesce(c.integrated_at, d.finished_at), d.finished_at))
                       OVER (PARTITION BY d.service, d.environment ORDER BY d.finished_at, d.deployment_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier
              FROM delivery.deployments d LEFT JOIN integration.commits c ON c.sha = d.sha
             WHERE d.status IN ('succeeded', 'rolled_back') AND d.finished_at IS NOT NULL) d
     WHERE earlier IS NULL OR reach > earlier
),
reached AS (
    -- Latest time first, a record before a commit of the same time: each record starts a run,
    -- and the commits in its run have it as their least reach >= their integration.
    SELECT story_id, environment, deployment_id, finished_at
      FROM (SELECT story_id, environment,
                   first_value(deployment_id) OVER in_run AS deployment_id,
                   first_value(finished_at) OVER in_run AS finished_at
              FROM (SELECT points.*, count(deployment_id) OVER (PARTITION BY service, environment
                               ORDER BY at DESC, deployment_id IS NOT NULL DESC ROWS UNBOUNDED PRECEDING) AS run
                      FROM (SELECT f.story_id, f.service, e.environment, f.integrated_at AS at,
                                   NULL::text AS deployment_id, NULL::timestamptz AS finished_at
                              FROM final f JOIN (SELECT DISTINCT service, environment FROM records) e USING (service)
                            UNION ALL
                            SELECT NULL, service, environment, reach, deployment_id, finished_at
                              FROM records) points) runs
            WINDOW in_run AS (PARTITION BY service, environment, run
                              ORDER BY at DESC, deployment_id IS NOT NULL DESC)) picked
     -- Commits later than every record (run 0) have no deployment yet.
     WHERE story_id IS NOT NULL AND deployment_id IS NOT NULL
),
production AS (SELECT story_id, deployment_id, finished_at FROM reached WHERE environment = 'production'),
release_deployments AS (
    SELECT r.release_id, r.published_at, u.deployment_id
      FROM delivery.releases r
     CROSS JOIN LATERAL (SELECT unnest(r.deployment_ids) AS deployment_id
                          LIMIT cardinality(r.deployment_ids)) u
),
-- Releases and incidents of the story's deployments (those of its commits, those that reached
-- an environment) or of its commits. One branch per source keeps base tables, with their
-- statistics, in the joins.
story_releases AS (
    SELECT sc.story_id, rd.release_id, rd.published_at
      FROM story_commits sc JOIN delivery.deployments d ON d.sha = sc.sha
      JOIN release_deployments rd ON rd.deployment_id = d.deployment_id
    UNION
    SELECT rc.story_id, rd.release_id, rd.published_at
      FROM reached rc JOIN release_deployments rd USING (deployment_id)
    UNION
    SELECT sc.story_id, r.release_id, r.published_at
      FROM story_commits sc JOIN delivery.releases r ON r.sha = sc.sha
),
released AS (
    SELECT r.story_id, min(r.published_at) AS at FROM story_releases r JOIN production p USING (story_id)
     WHERE r.published_at >= p.finished_at GROUP BY r.story_id
),
-- Incidents with no link (alerts) attributed by DORA's recent_deployment rule: the latest
-- successful production deployment of their service within the 24 hours before they opened.
attributed AS (
    SELECT i.incident_id,
           (SELECT d.deployment_id FROM delivery.deployments d
             WHERE d.service = i.service AND d.environment = 'production' AND d.status IN ('succeeded', 'rolled_back')
               AND d.finished_at <= i.opened_at AND d.finished_at > i.opened_at - interval '24 hours'
             ORDER BY d.finished_at DESC, d.deployment_id DESC LIMIT 1) AS deployment_id
      FROM monitoring.incidents i
     WHERE i.deployment_id IS NULL AND i.root_cause_sha IS NULL AND i.opened_at IS NOT NULL
),
story_incidents AS (
    SELECT sc.story_id, i.incident_id
      FROM story_commits sc JOIN delivery.deployments d ON d.sha = sc.sha
      JOIN monitoring.incidents i ON i.deployment_id = d.deployment_id
    UNION
    SELECT rc.story_id, i.incident_id FROM reached rc JOIN monitoring.incidents i USING (deployment_id)
    UNION
    SELECT sc.story_id, i.incident_id
      FROM story_commits sc JOIN monitoring.incidents i ON i.root_cause_sha = sc.sha
    UNION
    SELECT sc.story_id, a.incident_id
      FROM story_commits sc JOIN delivery.deployments d ON d.sha = sc.sha JOIN attributed a ON a.deployment_id = d.deployment_id
    UNION
    SELECT rc.story_id, a.incident_id FROM reached rc JOIN attributed a USING (deployment_id)
),
story_feedback AS (
    SELECT story_id, feedback_id FROM feedback.feedback WHERE story_id IS NOT NULL
    UNION
    SELECT sr.story_id, f.feedback_id FROM feedback.feedback f JOIN story_releases sr USING (release_id)
),
story_improvements AS (
    SELECT sf.story_id, i.improvement_id FROM improvement.improvements i JOIN story_feedback sf USING (feedback_id)
    UNION
    SELECT si.story_id, i.improvement_id FROM improvement.improvements i JOIN story_incidents si USING (incident_id)
),
timeline AS (
    SELECT s.story_id, s.title, s.service, s.team, s.status, s.priority, s.created_at, s.started_at,
           f.sha AS final_sha, coalesce(n.commits, 0) AS commits, f.integrated_at,
           b.finished_at AS built_at, CASE WHEN t.at >= b.finished_at THEN t.at END AS tested_at,
           p.finished_at AS production_at, rel.at AS released_at,
           coalesce(i.count, 0) AS incidents, coalesce(fb.count, 0) AS feedback,
           coalesce(im.count, 0) AS improvements
      FROM planning.stories s
      LEFT JOIN final f USING (story_id)
      LEFT JOIN (SELECT story_id, count(*) AS commits FROM story_commits GROUP BY story_id) n USING (story_id)
      LEFT JOIN built b ON b.sha = f.sha
      LEFT JOIN tested t ON t.sha = f.sha
      LEFT JOIN production p USING (story_id)
      LEFT JOIN released rel USING (story_id)
      LEFT JOIN (SELECT story_id, count(*) FROM story_incidents GROUP BY story_id) i USING (story_id)
      LEFT JOIN (SELECT story_id, count(*) FROM story_feedback GROUP BY story_id) fb USING (story_id)
      LEFT JOIN (SELECT story_id, count(*) FROM story_improvements GROUP BY story_id) im USING (story_id)
),
steps AS (
    SELECT timeline.*,
           step_hours(created_at, started_at) AS plan_hours,
           step_hours(coalesce(started_at, created_at), integrated_at) AS code_hours,
           step_hours(integrated_at, built_at) AS build_hours,
           step_hours(built_at, tested_at) AS test_hours,
           step_hours(coalesce(tested_at, built_at, integrated_at), production_at) AS deploy_hours,
           step_hours(production_at, released_at) AS release_hours
      FROM timeline
)
SELECT story_id, title, service, team, status, priority, created_at, started_at,
       final_sha, commits, built_at, tested_at, production_at, released_at,
       plan_hours, code_hours, build_hours, test_hours, deploy_hours, release_hours,
       -- The most hours; a tie goes to the earlier step (greatest skips nulls).
       CASE greatest(plan_hours, code_hours, build_hours, test_hours, deploy_hours, release_hours)
           WHEN plan_hours THEN 'plan' WHEN code_hours THEN 'code' WHEN build_hours THEN 'build'
           WHEN test_hours THEN 'test' WHEN deploy_hours THEN 'deploy' WHEN release_hours THEN 'release'
       END AS bottleneck,
       round((extract(epoch FROM production_at - created_at) / 3600)::numeric, 2) AS lead_time_hours,
       incidents, feedback, improvements
  FROM steps;

COMMENT ON VIEW value_stream IS 'One row per story: when it was built, tested, reached production and was released, the hours of each step, and the bottleneck.';
