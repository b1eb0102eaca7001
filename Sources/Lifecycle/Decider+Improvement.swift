/// Improvement decisions: proposed once, completed once.
extension ProposeImprovement {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(code: "improvement_exists", message: "improvement \(improvementId) already exists")
        }
        return [
            .improvementProposed(
                ImprovementProposed(
                    improvementId: improvementId, title: title, feedbackId: feedbackId, incidentId: incidentId,
                    service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension CompleteImprovement {
    /// The event carries the proposal's links, so the loop from feedback or incident to outcome closes.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard let improvement = state.improvement else {
            throw DomainError(
                code: "improvement_not_found", message: "improvement \(improvementId) does not exist; propose it first")
        }
        guard !improvement.isCompleted else {
            throw DomainError(
                code: "improvement_already_completed", message: "improvement \(improvementId) is already completed")
        }
        return [
            .improvementCompleted(
                ImprovementCompleted(
                    improvementId: improvementId, outcome: outcome, feedbackId: improvement.feedbackId,
                    incidentId: improvement.incidentId, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}
