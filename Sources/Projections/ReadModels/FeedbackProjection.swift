public import EventStore
import Lifecycle
import Postgres

/// Feedback: what users said, with its links (story, release, service), and whether an
/// improvement answered it. Ratings by source, the trend and unanswered negative feedback are
/// queries over it (`FeedbackQueries`).
public struct FeedbackProjection: Projection {
    public init() {}

    public var name: String { "feedback" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("feedback") }
    public var indexesFile: SchemaFile? { .indexes("feedback") }

    public var eventTypes: Set<String> { ["FeedbackReceived", "ImprovementProposed"] }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        switch projected.event {
        case .feedbackReceived(let event):
            return [.sql(
                """
                INSERT INTO feedback (feedback_id, source, rating, text, story_id, release_id, service, team, received_at,
                                      improvement_id, answered_at, position)
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, p.improvement_id, p.answered_at, $10
                  FROM (SELECT 1) one LEFT JOIN pending_answers p ON p.feedback_id = $1
                """,
                [event.feedbackId, event.source, event.rating, event.text, event.storyId, event.releaseId, event.service,
                 event.team, event.occurredAt, projected.position])]
        case .improvementProposed(let event):
            guard let feedbackId = event.feedbackId else { return [] }
            return [
                .sql(
                    """
                    UPDATE feedback SET improvement_id = $2, answered_at = $3
                     WHERE feedback_id = $1 AND improvement_id IS NULL
                    """,
                    [feedbackId, event.improvementId, event.occurredAt]),
                .sql(
                    """
                    INSERT INTO pending_answers (feedback_id, improvement_id, answered_at)
                    SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM feedback WHERE feedback_id = $1)
                    ON CONFLICT DO NOTHING
                    """,
                    [feedbackId, event.improvementId, event.occurredAt]),
            ]
        default:
            return []
        }
    }
}
