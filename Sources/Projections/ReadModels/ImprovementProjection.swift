import Lifecycle
public import Postgres

/// Improvement: proposed and completed actions, what triggered them (feedback or an
/// incident) and when that happened, for the time to action (`ImprovementQueries`).
public struct ImprovementProjection: Projection {
    public init() {}

    public var name: String { "improvement" }
    public var version: Int { 1 }

    public var tablesSQL: String {
        """
        CREATE TABLE improvements (
            improvement_id text PRIMARY KEY,
            title          text NOT NULL,
            service        text NOT NULL,
            team           text,
            feedback_id    text,
            incident_id    text,
            proposed_at    timestamptz NOT NULL,
            completed_at   timestamptz,
            outcome        text,
            position       bigint NOT NULL
        );

        -- When each possible trigger happened: feedback received, incident opened.
        CREATE TABLE triggers (
            kind        text NOT NULL CHECK (kind IN ('feedback', 'incident')),
            id          text NOT NULL,
            occurred_at timestamptz NOT NULL,
            PRIMARY KEY (kind, id)
        );
        """
    }

    public var eventTypes: Set<String> { ["ImprovementProposed", "ImprovementCompleted", "FeedbackReceived", "IncidentOpened"] }

    static let trigger = """
        INSERT INTO triggers (kind, id, occurred_at) VALUES ($1, $2, $3)
        ON CONFLICT (kind, id) DO UPDATE SET occurred_at = $3
        """

    public func statements(for projected: ProjectedEvent) -> [Statement] {
        switch projected.event {
        case .improvementProposed(let event):
            return [Statement(
                """
                INSERT INTO improvements (improvement_id, title, service, team, feedback_id, incident_id, proposed_at, position)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                [event.improvementId, event.title, event.service, event.team, event.feedbackId, event.incidentId,
                 event.occurredAt, projected.position])]
        case .improvementCompleted(let event):
            return [Statement(
                """
                UPDATE improvements SET completed_at = $2, outcome = $3, feedback_id = coalesce(feedback_id, $4),
                    incident_id = coalesce(incident_id, $5), position = $6
                 WHERE improvement_id = $1
                """,
                [event.improvementId, event.occurredAt, event.outcome, event.feedbackId, event.incidentId, projected.position])]
        case .feedbackReceived(let event):
            return [Statement(Self.trigger, ["feedback", event.feedbackId, event.occurredAt])]
        case .incidentOpened(let event):
            return [Statement(Self.trigger, ["incident", event.incidentId, event.occurredAt])]
        default:
            return []
        }
    }
}
