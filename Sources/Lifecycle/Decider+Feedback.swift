/// Feedback decisions: each piece of feedback is recorded once.
extension ReceiveFeedback {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(
                code: "feedback_already_received", message: "feedback \(feedbackId) is already recorded")
        }
        return [
            .feedbackReceived(
                FeedbackReceived(
                    feedbackId: feedbackId, source: source, rating: rating, text: text, storyId: storyId,
                    releaseId: releaseId, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}
