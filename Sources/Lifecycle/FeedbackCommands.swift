public import Foundation

/// Records what a user said: `receive-feedback` → `FeedbackReceived`.
public struct ReceiveFeedback: Codable, Sendable, Equatable {
    public var feedbackId: String
    /// `^[a-z][a-z0-9_-]{0,62}$`, e.g. `survey`, `support`, `app-store`.
    public var source: String
    /// 1 (worst) to 5 (best).
    public var rating: Int
    /// At most 10,000 characters.
    public var text: String?
    public var storyId: String?
    public var releaseId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        feedbackId: String, source: String, rating: Int, text: String? = nil, storyId: String? = nil,
        releaseId: String? = nil, service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.feedbackId = feedbackId
        self.source = source
        self.rating = rating
        self.text = text
        self.storyId = storyId
        self.releaseId = releaseId
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

extension ReceiveFeedback: CommandPayload {
    static let name = "receive-feedback"
    var streamId: String { "feedback-\(feedbackId)" }
    var command: Command { .receiveFeedback(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            feedbackId: json.string("feedbackId"), source: json.string("source"), rating: json.int("rating"),
            text: json.optionalString("text"), storyId: json.optionalString("storyId"),
            releaseId: json.optionalString("releaseId"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> ReceiveFeedback {
        try FieldRules.entityId(feedbackId, "feedbackId")
        try FieldRules.pattern(source, .source, "source", example: "app-store")
        try FieldRules.range(rating, "rating", 1...5, code: "rating_out_of_range", meaning: " (5 = best)")
        try FieldRules.length(text, "text", 0...10_000)
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.entityId(releaseId, "releaseId")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}
