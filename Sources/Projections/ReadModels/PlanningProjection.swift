import Foundation
import Lifecycle
public import Postgres

/// Planning: every story with its status, priority and the times it moved; backlog, WIP,
/// throughput and cycle time are queries over it (`PlanningQueries`).
///
/// Times are event times (`occurredAt`), so a late-reported event lands where it happened.
public struct PlanningProjection: Projection {
    public init() {}

    public var name: String { "planning" }
    public var version: Int { 1 }

    public var tablesSQL: String {
        """
        CREATE TABLE stories (
            story_id       text PRIMARY KEY,
            title          text NOT NULL,
            service        text NOT NULL,
            team           text,
            -- 1 (highest) to 5.
            priority       integer NOT NULL,
            -- backlog, in_progress, done, cancelled
            status         text NOT NULL,
            created_at     timestamptz NOT NULL,
            prioritized_at timestamptz,
            started_at     timestamptz,
            completed_at   timestamptz,
            cancelled_at   timestamptz,
            cancel_reason  text,
            -- The log position of the last event applied to the row.
            position       bigint NOT NULL
        );
        CREATE INDEX stories_status_priority_idx ON stories (status, priority, created_at);
        CREATE INDEX stories_completed_at_idx ON stories (completed_at) WHERE completed_at IS NOT NULL;
        """
    }

    public var eventTypes: Set<String> {
        ["StoryCreated", "StoryPrioritized", "StoryStarted", "StoryCompleted", "StoryCancelled"]
    }

    public func statements(for projected: ProjectedEvent) -> [Statement] {
        let position = projected.position
        switch projected.event {
        case .storyCreated(let event):
            return [Statement(
                """
                INSERT INTO stories (story_id, title, service, team, priority, status, created_at, position)
                VALUES ($1, $2, $3, $4, $5, 'backlog', $6, $7)
                ON CONFLICT (story_id) DO UPDATE SET title = $2, service = $3, team = $4, priority = $5,
                    created_at = $6, position = $7
                """,
                [event.storyId, event.title, event.service, event.team, event.priority, event.occurredAt, position])]
        case .storyPrioritized(let event):
            return [Statement(
                "UPDATE stories SET priority = $2, prioritized_at = $3, position = $4 WHERE story_id = $1",
                [event.storyId, event.priority, event.occurredAt, position])]
        case .storyStarted(let event):
            return [Statement(
                """
                UPDATE stories SET status = CASE WHEN status = 'backlog' THEN 'in_progress' ELSE status END,
                    started_at = coalesce(started_at, $2), position = $3
                 WHERE story_id = $1
                """,
                [event.storyId, event.occurredAt, position])]
        case .storyCompleted(let event):
            return [Statement(
                "UPDATE stories SET status = 'done', completed_at = $2, position = $3 WHERE story_id = $1",
                [event.storyId, event.occurredAt, position])]
        case .storyCancelled(let event):
            return [Statement(
                """
                UPDATE stories SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3, position = $4
                 WHERE story_id = $1
                """,
                [event.storyId, event.occurredAt, event.reason, position])]
        default:
            return []
        }
    }
}
