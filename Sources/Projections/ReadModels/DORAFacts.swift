import Foundation
import Postgres

/// What the DORA report is computed from, read at one snapshot from the stage models that hold
/// the facts: commits (`integration`), deployments (`delivery`) and incidents (`monitoring`).
/// They are the DORA facts, so no read model keeps a second copy of them.
struct DORAFacts: Sendable {
    struct Deployment: Sendable {
        var id: String
        var service: String
        var team: String?
        var sha: String
        var status: String
        var finishedAt: Date
        var rolledBackAt: Date?
        var succeeded: Bool { status == "succeeded" || status == "rolled_back" }
    }

    /// A commit and the first successful production deployment that contained it.
    struct Delivery: Sendable {
        var sha: String
        var service: String
        var team: String?
        var integratedAt: Date
        var deliveredAt: Date
        var deploymentId: String
        var hours: Double { deliveredAt.timeIntervalSince(integratedAt) / 3600 }
    }

    struct Incident: Sendable {
        var id: String
        var service: String
        var openedAt: Date
        var resolvedAt: Date?
        /// The deployment it is attributed to, and by which rule.
        var deploymentId: String?
        var rule: String
    }

    /// Production deployments that finished (all time: recoveries and rework look past the window).
    var deployments: [Deployment]
    /// Commits delivered in the window.
    var deliveries: [Delivery]
    var incidents: [Incident]
    /// The sources' checkpoints in the snapshot the facts were read at.
    var positions: [String: Int64]

    /// Successful production deployments with the commit time they reach up to (`cutoff`): the
    /// time their SHA was integrated, or, for a SHA never reported, when they finished.
    static let successful = """
        SELECT d.deployment_id, d.service, d.team, d.finished_at, coalesce(c.integrated_at, d.finished_at) AS cutoff
          FROM delivery.deployments d LEFT JOIN integration.commits c ON c.sha = d.sha
         WHERE d.environment = $3 AND d.status IN ('succeeded', 'rolled_back') AND d.finished_at IS NOT NULL
           AND ($1::text IS NULL OR d.service = $1) AND ($2::text IS NULL OR d.team = $2)
        """

    /// The first successful deployment of `service` that contains a commit integrated at `integrated`.
    static func firstContaining(service: String, integrated: String) -> String {
        """
        SELECT * FROM ok WHERE ok.service = \(service) AND ok.cutoff >= \(integrated) AND ok.finished_at >= \(integrated)
         ORDER BY ok.finished_at, ok.deployment_id LIMIT 1
        """
    }

    /// Reads the facts for one report in a repeatable-read transaction (one snapshot).
    static func read(_ query: DORAQuery, connection: Connection) throws -> DORAFacts {
        // $1 service, $2 team and $3 environment in every statement, as `successful` expects.
        let scope: [(any PostgresEncodable)?] = [query.service, query.team, query.environment]
        return try connection.withTransaction { connection in
            _ = try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var positions = Dictionary(uniqueKeysWithValues: ReadModels.doraSources.map { ($0, Int64(0)) })
            for row in try connection.query(
                "SELECT name, position FROM projections WHERE name = ANY($1::text[])", [PostgresTextArray(ReadModels.doraSources)]
            ).rows {
                positions[try row.decode(0, as: String.self)] = try row.decode(1, as: Int64.self)
            }
            let deployments = try connection.query(
                """
                SELECT deployment_id, service, team, sha, status, finished_at, rolled_back_at FROM delivery.deployments
                 WHERE environment = $3 AND finished_at IS NOT NULL AND finished_at < $4
                   AND ($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR team = $2)
                 ORDER BY finished_at, deployment_id
                """, scope + [query.to]
            ).rows.map { row in
                Deployment(
                    id: try row.decode(0), service: try row.decode(1), team: try row.decode(2), sha: try row.decode(3),
                    status: try row.decode(4), finishedAt: try row.decode(5), rolledBackAt: try row.decode(6))
            }
            let deliveries = try connection.query(
                """
                WITH ok AS (\(successful))
                SELECT c.sha, f.service, f.team, c.integrated_at, f.finished_at, f.deployment_id
                  FROM integration.commits c
                 CROSS JOIN LATERAL (\(firstContaining(service: "c.service", integrated: "c.integrated_at"))) f
                 WHERE c.integrated_at < $5 AND f.finished_at >= $4 AND f.finished_at < $5
                 ORDER BY f.finished_at, c.integrated_at, c.sha
                """, scope + [query.from, query.to]
            ).rows.map { row in
                Delivery(
                    sha: try row.decode(0), service: try row.decode(1), team: try row.decode(2),
                    integratedAt: try row.decode(3),
                    deliveredAt: try row.decode(4), deploymentId: try row.decode(5))
            }
            let incidents = try connection.query(
                """
                WITH ok AS (\(successful))
                SELECT i.incident_id, i.service, i.opened_at, i.resolved_at,
                       CASE WHEN i.deployment_id IS NOT NULL THEN i.deployment_id
                            WHEN i.root_cause_sha IS NOT NULL THEN
                                (SELECT f.deployment_id FROM integration.commits c
                                  CROSS JOIN LATERAL (\(firstContaining(service: "c.service", integrated: "c.integrated_at"))) f
                                  WHERE c.sha = i.root_cause_sha)
                            ELSE (SELECT ok.deployment_id FROM ok
                                   WHERE ok.service = i.service AND ok.finished_at <= i.opened_at
                                     AND ok.finished_at > i.opened_at - make_interval(hours => $5::int)
                                   ORDER BY ok.finished_at DESC, ok.deployment_id DESC LIMIT 1) END,
                       CASE WHEN i.deployment_id IS NOT NULL THEN 'deployment_link'
                            WHEN i.root_cause_sha IS NOT NULL THEN 'root_cause_sha'
                            ELSE 'recent_deployment' END
                  FROM monitoring.incidents i
                 WHERE i.opened_at IS NOT NULL AND i.opened_at < $4 AND ($1::text IS NULL OR i.service = $1)
                 ORDER BY i.opened_at, i.incident_id
                """, scope + [query.to, query.attributionHours]
            ).rows.map { row in
                Incident(
                    id: try row.decode(0), service: try row.decode(1), openedAt: try row.decode(2),
                    resolvedAt: try row.decode(3),
                    deploymentId: try row.decode(4), rule: try row.decode(5))
            }
            return DORAFacts(deployments: deployments, deliveries: deliveries, incidents: incidents, positions: positions)
        }
    }
}
