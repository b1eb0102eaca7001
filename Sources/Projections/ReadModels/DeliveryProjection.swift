public import EventStore
import Foundation
import Lifecycle
import Postgres

/// Delivery: deployments with their outcome, and releases. What runs where, deployment counts
/// and rollbacks are queries over them (`DeliveryQueries`).
public struct DeliveryProjection: Projection {
    public init() {}

    public var name: String { "delivery" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("delivery") }
    public var indexesFile: SchemaFile? { .indexes("delivery") }

    public var eventTypes: Set<String> {
        ["DeploymentStarted", "DeploymentSucceeded", "DeploymentFailed", "DeploymentRolledBack", "ReleasePublished"]
    }

    /// A deployment's outcome; it may be the first event of its stream (CI that only reports the end).
    static func finish(
        _ projected: ProjectedEvent, _ id: String, _ service: String, _ team: String?, _ environment: String, _ sha: String,
        _ buildId: String?, _ version: String?, _ status: String, _ at: Date, _ seconds: Double?, _ reason: String?
    ) -> ProjectionWrite {
        let columns = [
            "deployment_id", "service", "team", "environment", "sha", "build_id", "version", "status", "finished_at",
            "duration_seconds", "reason", "position",
        ]
        let values: [(any PostgresEncodable)?] = [
            id, service, team, environment, sha, buildId, version, status, at, seconds, reason, projected.position,
        ]
        // The outcome creates the deployment when CI reported no start.
        guard projected.streamVersion > 1 else { return .create(table: "deployments", columns: columns, values: values) }
        return .update(
            table: "deployments", key: ["deployment_id"],
            set: """
                service = v.service, team = v.team, environment = v.environment, sha = v.sha,
                build_id = coalesce(v.build_id, t.build_id), version = coalesce(v.version, t.version), status = v.status,
                finished_at = v.finished_at,
                duration_seconds = coalesce(v.duration_seconds, extract(epoch FROM v.finished_at - t.started_at)),
                reason = v.reason, position = v.position
                """,
            columns: columns, values: values)
    }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        let position = projected.position
        switch projected.event {
        case .deploymentStarted(let event):
            return [.create(
                table: "deployments",
                columns: ["deployment_id", "service", "team", "environment", "sha", "build_id", "version", "status", "started_at", "position"],
                values: [event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                         "started", event.occurredAt, position])]
        case .deploymentSucceeded(let event):
            return [Self.finish(
                projected, event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                "succeeded", event.occurredAt, event.durationSeconds, nil)]
        case .deploymentFailed(let event):
            return [Self.finish(
                projected, event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                "failed", event.occurredAt, event.durationSeconds, event.reason)]
        case .deploymentRolledBack(let event):
            return [.update(
                table: "deployments", key: ["deployment_id"],
                set: """
                    status = 'rolled_back', rolled_back_at = v.rolled_back_at, rollback_reason = v.rollback_reason,
                    rolled_back_to_version = v.rolled_back_to_version, rolled_back_to_sha = v.rolled_back_to_sha,
                    position = v.position
                    """,
                columns: ["deployment_id", "rolled_back_at", "rollback_reason", "rolled_back_to_version", "rolled_back_to_sha", "position"],
                values: [event.deploymentId, event.occurredAt, event.reason, event.toVersion, event.toSha, position])]
        case .releasePublished(let event):
            return [.create(
                table: "releases",
                columns: ["release_id", "version", "sha", "service", "team", "deployment_ids", "notes", "published_at", "position"],
                values: [event.releaseId, event.version, event.sha, event.service, event.team, PostgresTextArray(event.deploymentIds),
                         event.notes, event.occurredAt, position])]
        default:
            return []
        }
    }
}
