import Lifecycle
public import Postgres

/// Delivery: deployments with their outcome, and releases. What runs where, deployment counts
/// and rollbacks are queries over them (`DeliveryQueries`).
public struct DeliveryProjection: Projection {
    public init() {}

    public var name: String { "delivery" }
    public var version: Int { 1 }

    public var tablesSQL: String {
        """
        CREATE TABLE deployments (
            deployment_id    text PRIMARY KEY,
            service          text NOT NULL,
            team             text,
            environment      text NOT NULL,
            sha              text NOT NULL,
            build_id         text,
            version          text,
            -- started, succeeded, failed, rolled_back
            status           text NOT NULL,
            started_at       timestamptz,
            finished_at      timestamptz,
            duration_seconds double precision,
            reason           text,
            rolled_back_at   timestamptz,
            rollback_reason  text,
            rolled_back_to_version text,
            rolled_back_to_sha     text,
            position         bigint NOT NULL
        );
        CREATE INDEX deployments_service_env_idx ON deployments (service, environment, finished_at);

        CREATE TABLE releases (
            release_id     text PRIMARY KEY,
            version        text NOT NULL,
            sha            text,
            service        text NOT NULL,
            team           text,
            deployment_ids text[] NOT NULL,
            notes          text,
            published_at   timestamptz NOT NULL,
            position       bigint NOT NULL
        );
        """
    }

    public var eventTypes: Set<String> {
        ["DeploymentStarted", "DeploymentSucceeded", "DeploymentFailed", "DeploymentRolledBack", "ReleasePublished"]
    }

    /// A deployment's outcome; it may be the first event of its stream (CI that only reports the end).
    static let finish = """
        INSERT INTO deployments (deployment_id, service, team, environment, sha, build_id, version, status, finished_at,
                                 duration_seconds, reason, position)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (deployment_id) DO UPDATE SET service = $2, team = $3, environment = $4, sha = $5,
            build_id = coalesce($6, deployments.build_id), version = coalesce($7, deployments.version), status = $8,
            finished_at = $9, duration_seconds = coalesce($10, extract(epoch FROM $9 - deployments.started_at)), reason = $11,
            position = $12
        """

    public func statements(for projected: ProjectedEvent) -> [Statement] {
        let position = projected.position
        switch projected.event {
        case .deploymentStarted(let event):
            return [Statement(
                """
                INSERT INTO deployments (deployment_id, service, team, environment, sha, build_id, version, status, started_at, position)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 'started', $8, $9)
                """,
                [event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                 event.occurredAt, position])]
        case .deploymentSucceeded(let event):
            return [Statement(Self.finish, [
                event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                "succeeded", event.occurredAt, event.durationSeconds, nil, position])]
        case .deploymentFailed(let event):
            return [Statement(Self.finish, [
                event.deploymentId, event.service, event.team, event.environment, event.sha, event.buildId, event.version,
                "failed", event.occurredAt, event.durationSeconds, event.reason, position])]
        case .deploymentRolledBack(let event):
            return [Statement(
                """
                UPDATE deployments SET status = 'rolled_back', rolled_back_at = $2, rollback_reason = $3,
                    rolled_back_to_version = $4, rolled_back_to_sha = $5, position = $6
                 WHERE deployment_id = $1
                """,
                [event.deploymentId, event.occurredAt, event.reason, event.toVersion, event.toSha, position])]
        case .releasePublished(let event):
            return [Statement(
                """
                INSERT INTO releases (release_id, version, sha, service, team, deployment_ids, notes, published_at, position)
                VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9)
                """,
                [event.releaseId, event.version, event.sha, event.service, event.team, PostgresTextArray(event.deploymentIds),
                 event.notes, event.occurredAt, position])]
        default:
            return []
        }
    }
}
