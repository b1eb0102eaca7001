/// Received feedback: `FeedbackReceived` is its only event.
public struct FeedbackState: Sendable, Equatable {
    public var feedbackId: String
    public var rating: Int

    public init(feedbackId: String, rating: Int) {
        self.feedbackId = feedbackId
        self.rating = rating
    }
}

extension FeedbackReceived {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .feedback(FeedbackState(feedbackId: feedbackId, rating: rating))
    }
}
