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
        CREATE INDEX commits_service_time_idx ON commits (service, integrated_at);

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
        CREATE INDEX deployments_service_finished_idx ON deployments (service, environment, finished_at);

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

    public var eventTypes: Set<String> {
        ["CommitIntegrated", "DeploymentStarted", "DeploymentSucceeded", "DeploymentFailed", "DeploymentRolledBack",
         "IncidentOpened", "IncidentResolved"]
    }

    static let deployment = """
        INSERT INTO deployments (deployment_id, service, team, environment, sha, status, finished_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (deployment_id) DO UPDATE SET service = $2, team = $3, environment = $4, sha = $5, status = $6,
            finished_at = $7
        """

    public func statements(for projected: ProjectedEvent) -> [Statement] {
        switch projected.event {
        case .commitIntegrated(let event):
            return [Statement(
                """
                INSERT INTO commits (sha, service, team, integrated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (sha) DO UPDATE SET service = $2, team = $3, integrated_at = $4
                """,
                [event.sha, event.service, event.team, event.occurredAt])]
        case .deploymentStarted(let event):
            return [Statement(Self.deployment, [
                event.deploymentId, event.service, event.team, event.environment, event.sha, "started", nil])]
        case .deploymentSucceeded(let event):
            return [Statement(Self.deployment, [
                event.deploymentId, event.service, event.team, event.environment, event.sha, "succeeded", event.occurredAt])]
        case .deploymentFailed(let event):
            return [Statement(Self.deployment, [
                event.deploymentId, event.service, event.team, event.environment, event.sha, "failed", event.occurredAt])]
        case .deploymentRolledBack(let event):
            return [Statement(
                "UPDATE deployments SET status = 'rolled_back', rolled_back_at = $2 WHERE deployment_id = $1",
                [event.deploymentId, event.occurredAt])]
        case .incidentOpened(let event):
            return [Statement(
                """
                INSERT INTO incidents (incident_id, service, team, opened_at, deployment_id, root_cause_sha)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [event.incidentId, event.service, event.team, event.occurredAt, event.deploymentId, event.rootCauseSha])]
        case .incidentResolved(let event):
            return [Statement(
                """
                UPDATE incidents SET resolved_at = $2, deployment_id = coalesce($3, deployment_id),
                    root_cause_sha = coalesce($4, root_cause_sha)
                 WHERE incident_id = $1
                """,
                [event.incidentId, event.occurredAt, event.deploymentId, event.rootCauseSha])]
        default:
            return []
        }
    }
}
