public import Foundation

/// Proposes an improvement: `propose-improvement` → `ImprovementProposed`.
public struct ProposeImprovement: Codable, Sendable, Equatable {
    public var improvementId: String
    public var title: String
    public var feedbackId: String?
    public var incidentId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension ProposeImprovement: CommandPayload {
    static let spec = CommandSpec<Self>(
        "propose-improvement", Command.proposeImprovement, stream: { "improvement-\($0.improvementId)" },
        fields: [
            .id("improvementId"), .text("title", 1...500),
            .id("feedbackId", .optional, "the feedback that prompted it"),
            .id("incidentId", .optional, "the incident that prompted it"),
        ])
}

/// Records that an improvement was carried out: `complete-improvement` → `ImprovementCompleted`.
public struct CompleteImprovement: Codable, Sendable, Equatable {
    public var improvementId: String
    public var outcome: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension CompleteImprovement: CommandPayload {
    static let spec = CommandSpec<Self>(
        "complete-improvement", Command.completeImprovement, stream: { "improvement-\($0.improvementId)" },
        fields: [.id("improvementId"), .prose("outcome")])
}
