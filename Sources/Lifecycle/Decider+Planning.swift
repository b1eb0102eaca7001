/// Planning decisions: a story's life from backlog to done or dropped.
extension CreateStory {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(code: "story_exists", message: "story \(storyId) already exists; prioritize or start it")
        }
        return [
            .storyCreated(
                StoryCreated(
                    storyId: storyId, title: title, priority: priority ?? 3, service: service, team: team,
                    occurredAt: context.occurredAt))
        ]
    }
}

extension PrioritizeStory {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        _ = try openStory(state, storyId)
        return [
            .storyPrioritized(
                StoryPrioritized(
                    storyId: storyId, priority: priority, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension StartStory {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard try openStory(state, storyId).status != .started else {
            throw DomainError(code: "story_already_started", message: "story \(storyId) is already started")
        }
        return [
            .storyStarted(StoryStarted(storyId: storyId, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension CompleteStory {
    /// Completing a story that never started is accepted: trackers skip states.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        switch try existingStory(state, storyId).status {
        case .cancelled: throw storyCancelled(storyId)
        case .completed: throw storyAlreadyCompleted(storyId)
        case .open, .started:
            return [
                .storyCompleted(
                    StoryCompleted(storyId: storyId, service: service, team: team, occurredAt: context.occurredAt))
            ]
        }
    }
}

extension CancelStory {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        switch try existingStory(state, storyId).status {
        case .completed: throw storyAlreadyCompleted(storyId)
        case .cancelled: throw storyCancelled(storyId)
        case .open, .started:
            return [
                .storyCancelled(
                    StoryCancelled(
                        storyId: storyId, reason: reason, service: service, team: team,
                        occurredAt: context.occurredAt))
            ]
        }
    }
}

/// The story of the stream, or `story_not_found`.
private func existingStory(_ state: StreamState, _ storyId: String) throws(DomainError) -> StoryState {
    guard let story = state.story else {
        throw DomainError(code: "story_not_found", message: "story \(storyId) does not exist; create it first")
    }
    return story
}

/// The story of the stream if it is neither completed nor cancelled, or `story_not_found` / `story_closed`.
private func openStory(_ state: StreamState, _ storyId: String) throws(DomainError) -> StoryState {
    let story = try existingStory(state, storyId)
    guard !story.isClosed else {
        throw DomainError(
            code: "story_closed", message: "story \(storyId) is \(story.status.rawValue); it cannot change")
    }
    return story
}

private func storyCancelled(_ storyId: String) -> DomainError {
    DomainError(code: "story_cancelled", message: "story \(storyId) was cancelled; create a new story instead")
}

private func storyAlreadyCompleted(_ storyId: String) -> DomainError {
    DomainError(code: "story_already_completed", message: "story \(storyId) is already completed")
}
