import Foundation
import Lifecycle
public import Postgres

/// The facts behind the DORA metrics, in one projection so a report reads one consistent
/// moment: commits (when integrated), deployments (where, what, how they ended) and incidents
/// (when, and what they name as the cause). The metrics themselves are computed per query
/// from these facts (`DORAReport`), so late and out-of-order events count where they happened.
public struct DORAProjection: Projection {
    public init() {}

    public var name: String { "dora" }
    public var version: Int { 1 }

    public var tablesSQL: String {
        """
        CREATE TABLE commits (
            sha           text PRIMARY KEY,
            service       text NOT NULL,
            team          text,
            integrated_at timestamptz NOT NULL
        );

        CREATE TABLE deployments (
            deployment_id  text PRIMARY KEY,
            service        text NOT NULL,
            team           text,
            environment    text NOT NULL,
            sha            text NOT NULL,
            -- started, succeeded, failed, rolled_back
            status         text NOT NULL,
            finished_at    timestamptz,
            rolled_back_at timestamptz
        );

        CREATE TABLE incidents (
            incident_id    text PRIMARY KEY,
            service        text NOT NULL,
            team           text,
            opened_at      timestamptz,
            resolved_at    timestamptz,
            deployment_id  text,
            root_cause_sha text
        );
        """
    }

    public var indexesSQL: String {
        """
        CREATE INDEX commits_service_time_idx ON commits (service, integrated_at);
        CREATE INDEX deployments_service_finished_idx ON deployments (service, environment, finished_at);
        """
    }

    public var eventTypes: Set<String> {
        ["CommitIntegrated", "DeploymentStarted", "DeploymentSucceeded", "DeploymentFailed", "DeploymentRolledBack",
         "IncidentOpened", "IncidentResolved"]
    }

    /// A deployment's state: created by its stream's first event, updated by the others.
    func deploymentWrite(
        _ projected: ProjectedEvent, _ id: String, _ service: String, _ team: String?, _ environment: String, _ sha: String,
        _ status: String, _ finishedAt: Date?
    ) -> ProjectionWrite {
        let columns = ["deployment_id", "service", "team", "environment", "sha", "status", "finished_at"]
        let values: [(any PostgresEncodable)?] = [id, service, team, environment, sha, status, finishedAt]
        guard projected.streamVersion > 1 else { return .create(table: "deployments", columns: columns, values: values) }
        return .update(
            table: "deployments", key: ["deployment_id"],
            set: "service = v.service, team = v.team, environment = v.environment, sha = v.sha, status = v.status, finished_at = v.finished_at",
            columns: columns, values: values)
    }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        switch projected.event {
        case .commitIntegrated(let event):
            return [.create(
                table: "commits", columns: ["sha", "service", "team", "integrated_at"],
                values: [event.sha, event.service, event.team, event.occurredAt])]
        case .deploymentStarted(let event):
            return [deploymentWrite(projected, event.deploymentId, event.service, event.team, event.environment, event.sha, "started", nil)]
        case .deploymentSucceeded(let event):
            return [deploymentWrite(projected, event.deploymentId, event.service, event.team, event.environment, event.sha, "succeeded", event.occurredAt)]
        case .deploymentFailed(let event):
            return [deploymentWrite(projected, event.deploymentId, event.service, event.team, event.environment, event.sha, "failed", event.occurredAt)]
        case .deploymentRolledBack(let event):
            return [.update(
                table: "deployments", key: ["deployment_id"], set: "status = 'rolled_back', rolled_back_at = v.rolled_back_at",
                columns: ["deployment_id", "rolled_back_at"], values: [event.deploymentId, event.occurredAt])]
        case .incidentOpened(let event):
            return [.create(
                table: "incidents", columns: ["incident_id", "service", "team", "opened_at", "deployment_id", "root_cause_sha"],
                values: [event.incidentId, event.service, event.team, event.occurredAt, event.deploymentId, event.rootCauseSha])]
        case .incidentResolved(let event):
            return [.update(
                table: "incidents", key: ["incident_id"],
                set: """
                    resolved_at = v.resolved_at, deployment_id = coalesce(v.deployment_id, t.deployment_id),
                    root_cause_sha = coalesce(v.root_cause_sha, t.root_cause_sha)
                    """,
                columns: ["incident_id", "resolved_at", "deployment_id", "root_cause_sha"],
                values: [event.incidentId, event.occurredAt, event.deploymentId, event.rootCauseSha])]
        default:
            return []
        }
    }
}
