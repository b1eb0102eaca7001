import Lifecycle
import Postgres

/// Monitoring: metric breaches (open until their metric recovers) and incidents. Active
/// breaches, incidents, time to restore and breaches per service are queries over them.
public struct MonitoringProjection: Projection {
    public init() {}

    public var name: String { "monitoring" }
    public var version: Int { 2 }

    public var tablesSQL: String {
        """
        CREATE TABLE breaches (
            -- The log position of the MetricBreached event that opened it.
            breach_id      bigint PRIMARY KEY,
            service        text COLLATE "C" NOT NULL,
            team           text COLLATE "C",
            metric         text COLLATE "C" NOT NULL,
            environment    text COLLATE "C",
            value          double precision NOT NULL,
            threshold      double precision NOT NULL,
            deployment_id  text COLLATE "C",
            breached_at    timestamptz NOT NULL,
            recovered_at   timestamptz,
            recovered_value double precision
        );
        -- At most one open breach per metric of a service (the metric's stream decides that too).
        CREATE UNIQUE INDEX breaches_open_idx ON breaches (service, metric) WHERE recovered_at IS NULL;

        CREATE TABLE incidents (
            incident_id    text COLLATE "C" PRIMARY KEY,
            service        text COLLATE "C" NOT NULL,
            team           text COLLATE "C",
            title          text COLLATE "C",
            severity       integer,
            deployment_id  text COLLATE "C",
            root_cause_sha text COLLATE "C",
            opened_at      timestamptz,
            resolved_at    timestamptz,
            resolution     text COLLATE "C",
            position       bigint NOT NULL
        );
        """
    }

    public var indexes: [String] {
        [
            "CREATE INDEX incidents_service_opened_idx ON incidents (service, opened_at)",
        ]
    }

    public var eventTypes: Set<String> { ["MetricBreached", "MetricRecovered", "IncidentOpened", "IncidentResolved"] }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        let position = projected.position
        switch projected.event {
        case .metricBreached(let event):
            return [.sql(
                """
                INSERT INTO breaches (breach_id, service, team, metric, environment, value, threshold, deployment_id, breached_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (service, metric) WHERE recovered_at IS NULL DO NOTHING
                """,
                [position, event.service, event.team, event.metric, event.environment, event.value, event.threshold,
                 event.deploymentId, event.occurredAt])]
        case .metricRecovered(let event):
            return [.sql(
                """
                UPDATE breaches SET recovered_at = $3, recovered_value = $4
                 WHERE service = $1 AND metric = $2 AND recovered_at IS NULL
                """,
                [event.service, event.metric, event.occurredAt, event.value])]
        case .incidentOpened(let event):
            return [.create(
                table: "incidents",
                columns: ["incident_id", "service", "team", "title", "severity", "deployment_id", "root_cause_sha", "opened_at", "position"],
                values: [event.incidentId, event.service, event.team, event.title, event.severity, event.deploymentId, event.rootCauseSha,
                         event.occurredAt, position])]
        case .incidentResolved(let event):
            // Links learnt at resolution (the deployment or commit at fault) complete the incident.
            return [.update(
                table: "incidents", key: ["incident_id"],
                set: """
                    resolved_at = v.resolved_at, resolution = v.resolution, deployment_id = coalesce(v.deployment_id, t.deployment_id),
                    root_cause_sha = coalesce(v.root_cause_sha, t.root_cause_sha), position = v.position
                    """,
                columns: ["incident_id", "resolved_at", "resolution", "deployment_id", "root_cause_sha", "position"],
                values: [event.incidentId, event.occurredAt, event.resolution, event.deploymentId, event.rootCauseSha, position])]
        default:
            return []
        }
    }
}
