public import EventStore
import Foundation
import Lifecycle
import Postgres

/// Planning: every story with its status, priority and the times it moved; backlog, WIP,
/// throughput and cycle time are queries over it (`PlanningQueries`).
///
/// Times are event times (`occurredAt`), so a late-reported event lands where it happened.
public struct PlanningProjection: Projection {
    public init() {}

    public var name: String { "planning" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("planning") }
    public var indexesFile: SchemaFile? { .indexes("planning") }

    public var eventTypes: Set<String> {
        ["StoryCreated", "StoryPrioritized", "StoryStarted", "StoryCompleted", "StoryCancelled"]
    }

    static func update(_ set: String, _ columns: [String], _ values: [(any PostgresEncodable)?]) -> ProjectionWrite {
        .update(table: "stories", key: ["story_id"], set: set, columns: columns, values: values)
    }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        let position = projected.position
        switch projected.event {
        case .storyCreated(let event):
            return [.create(
                table: "stories",
                columns: ["story_id", "title", "service", "team", "priority", "status", "created_at", "position"],
                values: [event.storyId, event.title, event.service, event.team, event.priority, "backlog", event.occurredAt, position])]
        case .storyPrioritized(let event):
            return [Self.update(
                "priority = v.priority, prioritized_at = v.prioritized_at, position = v.position",
                ["story_id", "priority", "prioritized_at", "position"], [event.storyId, event.priority, event.occurredAt, position])]
        case .storyStarted(let event):
            return [Self.update(
                """
                status = CASE WHEN t.status = 'backlog' THEN 'in_progress' ELSE t.status END,
                started_at = coalesce(t.started_at, v.started_at), position = v.position
                """,
                ["story_id", "started_at", "position"], [event.storyId, event.occurredAt, position])]
        case .storyCompleted(let event):
            return [Self.update(
                "status = 'done', completed_at = v.completed_at, position = v.position",
                ["story_id", "completed_at", "position"], [event.storyId, event.occurredAt, position])]
        case .storyCancelled(let event):
            return [Self.update(
                "status = 'cancelled', cancelled_at = v.cancelled_at, cancel_reason = v.cancel_reason, position = v.position",
                ["story_id", "cancelled_at", "cancel_reason", "position"], [event.storyId, event.occurredAt, event.reason, position])]
        default:
            return []
        }
    }
}
