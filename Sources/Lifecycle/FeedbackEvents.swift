public import Foundation

/// A user said something about the service. Stream `feedback-{feedbackId}`.
public struct FeedbackReceived: Codable, Sendable, Equatable {
    public var feedbackId: String
    /// Where it came from, e.g. `survey`, `support`, `app-store`.
    public var source: String
    /// 1 (worst) to 5 (best).
    public var rating: Int
    public var text: String?
    /// The story it is about, if known.
    public var storyId: String?
    /// The release it is about, if known.
    public var releaseId: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        feedbackId: String, source: String, rating: Int, text: String? = nil, storyId: String? = nil,
        releaseId: String? = nil, service: String, team: String? = nil, occurredAt: Date
    ) {
        self.feedbackId = feedbackId
        self.source = source
        self.rating = rating
        self.text = text
        self.storyId = storyId
        self.releaseId = releaseId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension FeedbackReceived: EventPayload {
    static let eventType = "FeedbackReceived"
    var streamId: String { "feedback-\(feedbackId)" }
    var event: DomainEvent { .feedbackReceived(self) }
}
