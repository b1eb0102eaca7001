import Foundation
import Postgres

/// The value stream of one story, from plan to feedback: `GET /v1/value-stream/stories/{id}`.
///
/// Read across the stage read models at one snapshot (the answer says how far each had got).
/// The story's commits are those that name it; its final commit (the latest integrated) is
/// followed through build, tests and deployment, and reaches an environment with the first
/// successful deployment of its service that contains it (as for DORA lead time).
enum ValueStreamQuery {
    static let query = ReadModelQuery(stage: "value-stream", name: "story", parameters: ["storyId", "environment"]) { arguments, connection in
        guard let story = arguments.text("storyId") else {
            throw QueryError(code: "invalid_parameter", message: "storyId is required", field: "storyId")
        }
        return try connection.withTransaction { connection in
            _ = try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let found = try connection.query("SELECT 1 FROM planning.stories WHERE story_id = $1", [story]).count == 1
            guard found else {
                throw QueryError(code: "story_not_found", message: "no story \(story) in the Planning read model", field: "storyId")
            }
            return try ReadModelQuery.json(connection, sql, [story, arguments.text("environment") ?? "production"])
        }
    }

    static let sql = """
        WITH story AS (SELECT * FROM planning.stories WHERE story_id = $1),
        commits AS (SELECT * FROM integration.commits WHERE story_ids @> ARRAY[$1::text]),
        final AS (SELECT * FROM commits ORDER BY integrated_at DESC, sha DESC LIMIT 1),
        builds AS (SELECT * FROM integration.builds WHERE sha IN (SELECT sha FROM commits)),
        built AS (SELECT b.* FROM builds b JOIN final f ON f.sha = b.sha WHERE b.status = 'passed'
                   ORDER BY b.finished_at, b.build_id LIMIT 1),
        runs AS (SELECT * FROM testing.runs WHERE sha IN (SELECT sha FROM commits)),
        tested AS (SELECT max(r.completed_at) AS at FROM runs r JOIN final f ON f.sha = r.sha),
        successful AS (SELECT d.*, coalesce(c.integrated_at, d.finished_at) AS cutoff
                         FROM delivery.deployments d LEFT JOIN integration.commits c ON c.sha = d.sha
                        WHERE d.status IN ('succeeded', 'rolled_back') AND d.finished_at IS NOT NULL),
        reached AS (SELECT DISTINCT ON (d.environment) d.*
                      FROM successful d JOIN final f ON d.service = f.service
                     WHERE d.cutoff >= f.integrated_at AND d.finished_at >= f.integrated_at
                     ORDER BY d.environment, d.finished_at, d.deployment_id),
        deployments AS (SELECT deployment_id, environment, sha, status, started_at, finished_at, rolled_back_at
                          FROM delivery.deployments WHERE sha IN (SELECT sha FROM commits)
                        UNION
                        SELECT deployment_id, environment, sha, status, started_at, finished_at, rolled_back_at FROM reached),
        production AS (SELECT * FROM reached WHERE environment = $2),
        releases AS (SELECT * FROM delivery.releases
                      WHERE deployment_ids && ARRAY(SELECT deployment_id FROM deployments) OR sha IN (SELECT sha FROM commits)),
        released AS (SELECT min(r.published_at) AS at FROM releases r, production p WHERE r.published_at >= p.finished_at),
        incidents AS (SELECT i.*, CASE WHEN i.deployment_id IN (SELECT deployment_id FROM deployments) THEN 'deployment_link'
                                       WHEN i.root_cause_sha IN (SELECT sha FROM commits) THEN 'root_cause_sha'
                                       ELSE 'recent_deployment' END AS rule
                        FROM monitoring.incidents i
                       WHERE i.deployment_id IN (SELECT deployment_id FROM deployments) OR i.root_cause_sha IN (SELECT sha FROM commits)
                          -- DORA's rule for an incident with no link (an alert): the latest successful deployment of its
                          -- service in the environment within the 24 hours before it opened.
                          OR (i.deployment_id IS NULL AND i.root_cause_sha IS NULL AND i.opened_at IS NOT NULL
                              AND (SELECT s.deployment_id FROM successful s
                                    WHERE s.service = i.service AND s.environment = $2 AND s.finished_at <= i.opened_at
                                      AND s.finished_at > i.opened_at - interval '24 hours'
                                    ORDER BY s.finished_at DESC, s.deployment_id DESC LIMIT 1) IN (SELECT deployment_id FROM deployments))),
        feedback AS (SELECT * FROM feedback.feedback WHERE story_id = $1 OR release_id IN (SELECT release_id FROM releases)),
        improvements AS (SELECT * FROM improvement.improvements
                          WHERE feedback_id IN (SELECT feedback_id FROM feedback) OR incident_id IN (SELECT incident_id FROM incidents)),
        steps AS (
            SELECT step, ordinal, from_at, to_at,
                   round((extract(epoch FROM to_at - from_at) / 3600)::numeric, 2) AS hours
              FROM (SELECT 'plan' AS step, 1 AS ordinal, s.created_at AS from_at, s.started_at AS to_at FROM story s
                    UNION ALL SELECT 'code', 2, coalesce(s.started_at, s.created_at), (SELECT integrated_at FROM final) FROM story s
                    UNION ALL SELECT 'build', 3, (SELECT integrated_at FROM final), (SELECT finished_at FROM built)
                    UNION ALL SELECT 'test', 4, (SELECT finished_at FROM built),
                                     (SELECT at FROM tested WHERE at >= (SELECT finished_at FROM built))
                    UNION ALL SELECT 'deploy', 5,
                                     coalesce((SELECT at FROM tested WHERE at >= (SELECT finished_at FROM built)),
                                              (SELECT finished_at FROM built), (SELECT integrated_at FROM final)),
                                     (SELECT finished_at FROM production)
                    UNION ALL SELECT 'release', 6, (SELECT finished_at FROM production), (SELECT at FROM released)) s)
        SELECT json_build_object(
            'story', (SELECT \(PlanningQueries.story) FROM story),
            'commits', coalesce((SELECT json_agg(json_build_object('sha', sha, 'service', service, 'branch', branch,
                                    'message', message, 'integratedAt', integrated_at) ORDER BY integrated_at, sha) FROM commits), '[]'),
            'finalCommit', (SELECT sha FROM final),
            'builds', coalesce((SELECT json_agg(json_build_object('buildId', build_id, 'sha', sha, 'status', status,
                                   'startedAt', started_at, 'finishedAt', finished_at, 'durationSeconds', duration_seconds)
                                   ORDER BY coalesce(finished_at, started_at), build_id) FROM builds), '[]'),
            'testRuns', coalesce((SELECT json_agg(json_build_object('runId', run_id, 'suite', suite, 'sha', sha,
                                     'passed', passed, 'failed', failed, 'skipped', skipped, 'completedAt', completed_at)
                                     ORDER BY completed_at, run_id) FROM runs), '[]'),
            'deployments', coalesce((SELECT json_agg(json_build_object('deploymentId', deployment_id, 'environment', environment,
                                        'sha', sha, 'status', status, 'startedAt', started_at, 'finishedAt', finished_at,
                                        'rolledBackAt', rolled_back_at) ORDER BY finished_at, deployment_id) FROM deployments), '[]'),
            'environments', coalesce((SELECT json_agg(json_build_object('environment', environment, 'deploymentId', deployment_id,
                                         'reachedAt', finished_at) ORDER BY finished_at) FROM reached), '[]'),
            'releases', coalesce((SELECT json_agg(json_build_object('releaseId', release_id, 'version', version,
                                     'publishedAt', published_at) ORDER BY published_at, release_id) FROM releases), '[]'),
            'incidents', coalesce((SELECT json_agg(json_build_object('incidentId', incident_id, 'severity', severity,
                                      'deploymentId', deployment_id, 'rootCauseSha', root_cause_sha, 'openedAt', opened_at,
                                      'resolvedAt', resolved_at, 'rule', rule) ORDER BY opened_at, incident_id) FROM incidents), '[]'),
            'feedback', coalesce((SELECT json_agg(json_build_object('feedbackId', feedback_id, 'source', source, 'rating', rating,
                                     'receivedAt', received_at) ORDER BY received_at, feedback_id) FROM feedback), '[]'),
            'improvements', coalesce((SELECT json_agg(json_build_object('improvementId', improvement_id, 'title', title,
                                         'proposedAt', proposed_at, 'completedAt', completed_at)
                                         ORDER BY proposed_at, improvement_id) FROM improvements), '[]'),
            'steps', (SELECT json_agg(json_build_object('step', step, 'from', from_at, 'to', to_at,
                                 'hours', CASE WHEN to_at >= from_at THEN hours END) ORDER BY ordinal) FROM steps),
            'bottleneck', (SELECT step FROM steps WHERE to_at >= from_at ORDER BY hours DESC, ordinal LIMIT 1),
            'leadTimeHours', (SELECT round((extract(epoch FROM p.finished_at - s.created_at) / 3600)::numeric, 2)
                                FROM story s, production p),
            'asOf', (SELECT json_object_agg(name, position ORDER BY name) FROM projections
                      WHERE name IN ('planning', 'integration', 'testing', 'delivery', 'monitoring', 'feedback', 'improvement')))::text
        """
}
