public import Foundation

/// Proposes an improvement: `propose-improvement` → `ImprovementProposed`.
public struct ProposeImprovement: Codable, Sendable, Equatable {
    public var improvementId: String
    /// 1–500 characters.
    public var title: String
    public var feedbackId: String?
    public var incidentId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        improvementId: String, title: String, feedbackId: String? = nil, incidentId: String? = nil, service: String,
        team: String? = nil, occurredAt: Date? = nil
    ) {
        self.improvementId = improvementId
        self.title = title
        self.feedbackId = feedbackId
        self.incidentId = incidentId
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that an improvement was carried out: `complete-improvement` → `ImprovementCompleted`.
public struct CompleteImprovement: Codable, Sendable, Equatable {
    public var improvementId: String
    /// At most 10,000 characters.
    public var outcome: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        improvementId: String, outcome: String? = nil, service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.improvementId = improvementId
        self.outcome = outcome
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

extension ProposeImprovement: CommandPayload {
    static let name = "propose-improvement"
    var streamId: String { "improvement-\(improvementId)" }
    var command: Command { .proposeImprovement(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            improvementId: json.string("improvementId"), title: json.string("title"),
            feedbackId: json.optionalString("feedbackId"), incidentId: json.optionalString("incidentId"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> ProposeImprovement {
        try FieldRules.entityId(improvementId, "improvementId")
        try FieldRules.length(title, "title", 1...500)
        try FieldRules.entityId(feedbackId, "feedbackId")
        try FieldRules.entityId(incidentId, "incidentId")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension CompleteImprovement: CommandPayload {
    static let name = "complete-improvement"
    var streamId: String { "improvement-\(improvementId)" }
    var command: Command { .completeImprovement(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            improvementId: json.string("improvementId"), outcome: json.optionalString("outcome"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> CompleteImprovement {
        try FieldRules.entityId(improvementId, "improvementId")
        try FieldRules.length(outcome, "outcome", 0...10_000)
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}
