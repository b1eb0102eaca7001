/// An improvement, folded from `ImprovementProposed` and `ImprovementCompleted`.
public struct ImprovementState: Sendable, Equatable {
    public var improvementId: String
    public var isCompleted: Bool
    public var feedbackId: String?
    public var incidentId: String?

    public init(improvementId: String, isCompleted: Bool, feedbackId: String? = nil, incidentId: String? = nil) {
        self.improvementId = improvementId
        self.isCompleted = isCompleted
        self.feedbackId = feedbackId
        self.incidentId = incidentId
    }
}

extension ImprovementProposed {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .improvement(
            ImprovementState(
                improvementId: improvementId, isCompleted: false, feedbackId: feedbackId, incidentId: incidentId))
    }
}

extension ImprovementCompleted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .improvement(
            ImprovementState(
                improvementId: improvementId, isCompleted: true, feedbackId: feedbackId, incidentId: incidentId))
    }
}
