public import EventStore
import Lifecycle
import Postgres

/// Monitoring: metric breaches (open until their metric recovers) and incidents. Active
/// breaches, incidents, time to restore and breaches per service are queries over them.
public struct MonitoringProjection: Projection {
    public init() {}

    public var name: String { "monitoring" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("monitoring") }
    public var indexesFile: SchemaFile? { .indexes("monitoring") }

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
