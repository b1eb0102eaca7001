import Foundation
import Postgres

/// The questions the Delivery read model answers (see docs/read-models.md).
enum DeliveryQueries {
    static let all: [ReadModelQuery] = [deployments, counts, live, releases, rollbacks]

    static let scoped = PlanningQueries.scoped
    static let deployment = """
        json_build_object('deploymentId', deployment_id, 'service', service, 'team', team, 'environment', environment,
            'sha', sha, 'buildId', build_id, 'version', version, 'status', status, 'startedAt', started_at,
            'finishedAt', finished_at, 'durationSeconds', duration_seconds, 'reason', reason,
            'rolledBackAt', rolled_back_at, 'rollbackReason', rollback_reason,
            'rolledBackToVersion', rolled_back_to_version, 'rolledBackToSha', rolled_back_to_sha)
        """

    /// `?environment=&status=&service=&team=&limit=`: deployments, latest first.
    static let deployments = ReadModelQuery(stage: "delivery", name: "deployments", parameters: ["environment", "status", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('deployments', coalesce(json_agg(\(deployment)
                       ORDER BY coalesce(finished_at, started_at) DESC, deployment_id), '[]'))::text
              FROM (SELECT * FROM delivery.deployments
                     WHERE \(scoped) AND ($3::text IS NULL OR environment = $3) AND ($4::text IS NULL OR status = $4)
                     ORDER BY coalesce(finished_at, started_at) DESC, deployment_id LIMIT $5) d
            """,
            [arguments.text("service"), arguments.text("team"), arguments.text("environment"),
             try arguments.choice("status", ["started", "succeeded", "failed", "rolled_back"]),
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: deployments per service and environment that finished in the
    /// window, by outcome (a rolled-back deployment counts as succeeded and as rolled back).
    static let counts = ReadModelQuery(stage: "delivery", name: "deployment-counts", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('counts', coalesce(json_agg(json_build_object(
                       'service', service, 'environment', environment, 'deployments', n, 'succeeded', ok, 'failed', failed,
                       'rolledBack', rolled_back) ORDER BY service, environment), '[]'))::text
              FROM (SELECT service, environment, count(*) AS n,
                           count(*) FILTER (WHERE status IN ('succeeded', 'rolled_back')) AS ok,
                           count(*) FILTER (WHERE status = 'failed') AS failed,
                           count(*) FILTER (WHERE status = 'rolled_back') AS rolled_back
                      FROM delivery.deployments
                     WHERE \(scoped) AND finished_at >= $3 AND finished_at < $4
                     GROUP BY service, environment) c
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?environment=&service=&team=`: what runs in each environment of each service: the
    /// latest successful deployment, or what a rollback of it went back to.
    static let live = ReadModelQuery(stage: "delivery", name: "live", parameters: ["environment", "service", "team"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('live', coalesce(json_agg(json_build_object(
                       'service', service, 'environment', environment,
                       'sha', CASE WHEN status = 'rolled_back' THEN rolled_back_to_sha ELSE sha END,
                       'version', CASE WHEN status = 'rolled_back' THEN rolled_back_to_version ELSE version END,
                       'since', coalesce(rolled_back_at, finished_at), 'deploymentId', deployment_id,
                       'rolledBack', status = 'rolled_back') ORDER BY service, environment), '[]'))::text
              FROM (SELECT DISTINCT ON (service, environment) *
                      FROM delivery.deployments
                     WHERE \(scoped) AND ($3::text IS NULL OR environment = $3) AND status IN ('succeeded', 'rolled_back')
                     ORDER BY service, environment, finished_at DESC, deployment_id DESC) d
            """,
            [arguments.text("service"), arguments.text("team"), arguments.text("environment")])
    }

    /// `?service=&team=&limit=`: releases, latest first.
    static let releases = ReadModelQuery(stage: "delivery", name: "releases", parameters: ["service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('releases', coalesce(json_agg(json_build_object(
                       'releaseId', release_id, 'version', version, 'sha', sha, 'service', service, 'team', team,
                       'deploymentIds', deployment_ids, 'notes', notes, 'publishedAt', published_at)
                   ORDER BY published_at DESC, release_id), '[]'))::text
              FROM (SELECT * FROM delivery.releases WHERE \(scoped) ORDER BY published_at DESC, release_id LIMIT $3) r
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?service=&team=&limit=`: rolled-back deployments, latest rollback first.
    static let rollbacks = ReadModelQuery(stage: "delivery", name: "rollbacks", parameters: ["service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('rollbacks', coalesce(json_agg(\(deployment) ORDER BY rolled_back_at DESC, deployment_id), '[]'))::text
              FROM (SELECT * FROM delivery.deployments WHERE \(scoped) AND status = 'rolled_back'
                     ORDER BY rolled_back_at DESC, deployment_id LIMIT $3) d
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("limit", default: 100, range: 1...1000)])
    }
}
