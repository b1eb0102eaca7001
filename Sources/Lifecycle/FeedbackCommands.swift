public import Foundation

/// Records what a user said: `receive-feedback` → `FeedbackReceived`.
public struct ReceiveFeedback: Codable, Sendable, Equatable {
    public var feedbackId: String
    public var source: String
    public var rating: Int
    public var text: String?
    public var storyId: String?
    public var releaseId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension ReceiveFeedback: CommandPayload {
    static let spec = CommandSpec<Self>(
        "receive-feedback", Command.receiveFeedback, stream: { "feedback-\($0.feedbackId)" },
        fields: [
            .id("feedbackId"), .pattern("source", .source, example: "app-store"),
            .integer("rating", 1...5, code: "rating_out_of_range", meaning: " (5 = best)"), .prose("text"),
            .id("storyId", .optional, "the story it is about"), .id("releaseId", .optional, "the release it is about"),
        ])
}
