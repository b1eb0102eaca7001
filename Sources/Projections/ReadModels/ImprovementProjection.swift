public import EventStore
import Foundation
import Lifecycle
import Postgres

/// Improvement: proposed and completed actions, what triggered them (feedback or an
/// incident) and when that happened, for the time to action (`ImprovementQueries`).
public struct ImprovementProjection: Projection {
    public init() {}

    public var name: String { "improvement" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("improvement") }

    public var eventTypes: Set<String> { ["ImprovementProposed", "ImprovementCompleted", "FeedbackReceived", "IncidentOpened"] }

    static func trigger(_ kind: String, _ id: String, _ at: Date) -> ProjectionWrite {
        .create(table: "triggers", columns: ["kind", "id", "occurred_at"], values: [kind, id, at])
    }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        switch projected.event {
        case .improvementProposed(let event):
            return [.create(
                table: "improvements",
                columns: ["improvement_id", "title", "service", "team", "feedback_id", "incident_id", "proposed_at", "position"],
                values: [event.improvementId, event.title, event.service, event.team, event.feedbackId, event.incidentId,
                         event.occurredAt, projected.position])]
        case .improvementCompleted(let event):
            return [.update(
                table: "improvements", key: ["improvement_id"],
                set: """
                    completed_at = v.completed_at, outcome = v.outcome, feedback_id = coalesce(t.feedback_id, v.feedback_id),
                    incident_id = coalesce(t.incident_id, v.incident_id), position = v.position
                    """,
                columns: ["improvement_id", "completed_at", "outcome", "feedback_id", "incident_id", "position"],
                values: [event.improvementId, event.occurredAt, event.outcome, event.feedbackId, event.incidentId, projected.position])]
        case .feedbackReceived(let event):
            return [Self.trigger("feedback", event.feedbackId, event.occurredAt)]
        case .incidentOpened(let event):
            return [Self.trigger("incident", event.incidentId, event.occurredAt)]
        default:
            return []
        }
    }
}
