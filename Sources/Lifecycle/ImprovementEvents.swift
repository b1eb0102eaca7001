public import Foundation

/// Someone proposed to improve something, usually prompted by feedback or an incident.
/// Stream `improvement-{improvementId}`.
public struct ImprovementProposed: Codable, Sendable, Equatable {
    public var improvementId: String
    public var title: String
    /// The feedback that prompted it, if any.
    public var feedbackId: String?
    /// The incident that prompted it, if any.
    public var incidentId: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        improvementId: String, title: String, feedbackId: String? = nil, incidentId: String? = nil, service: String,
        team: String? = nil, occurredAt: Date
    ) {
        self.improvementId = improvementId
        self.title = title
        self.feedbackId = feedbackId
        self.incidentId = incidentId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// An improvement was carried out. Keeps the proposal's links, closing the loop to what prompted it.
public struct ImprovementCompleted: Codable, Sendable, Equatable {
    public var improvementId: String
    public var outcome: String?
    public var feedbackId: String?
    public var incidentId: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        improvementId: String, outcome: String? = nil, feedbackId: String? = nil, incidentId: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.improvementId = improvementId
        self.outcome = outcome
        self.feedbackId = feedbackId
        self.incidentId = incidentId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension ImprovementProposed: EventPayload {
    static let eventType = "ImprovementProposed"
    var streamId: String { "improvement-\(improvementId)" }
    var event: DomainEvent { .improvementProposed(self) }
}

extension ImprovementCompleted: EventPayload {
    static let eventType = "ImprovementCompleted"
    var streamId: String { "improvement-\(improvementId)" }
    var event: DomainEvent { .improvementCompleted(self) }
}
