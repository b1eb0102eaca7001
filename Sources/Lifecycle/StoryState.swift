/// A story, folded from its `Story…` events.
public struct StoryState: Sendable, Equatable {
    public enum Status: String, Sendable {
        case open, started, completed, cancelled
    }

    public var storyId: String
    public var priority: Int
    public var status: Status

    public init(storyId: String, priority: Int = 3, status: Status = .open) {
        self.storyId = storyId
        self.priority = priority
        self.status = status
    }

    /// True once completed or cancelled: nothing changes it any more.
    public var isClosed: Bool { status == .completed || status == .cancelled }

    /// The story to update: the current one, or (for a stream whose `StoryCreated` is missing, e.g. one
    /// appended by hand) a default one, because the log is the truth and a fold never fails.
    static func current(_ entity: StreamState.Entity, _ storyId: String) -> StoryState {
        if case .story(let story) = entity { story } else { StoryState(storyId: storyId) }
    }

    func with(status: Status) -> StoryState {
        var copy = self
        copy.status = status
        return copy
    }
}

extension StoryCreated {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .story(StoryState(storyId: storyId, priority: priority))
    }
}

extension StoryPrioritized {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        var story = StoryState.current(entity, storyId)
        story.priority = priority
        return .story(story)
    }
}

extension StoryStarted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .story(StoryState.current(entity, storyId).with(status: .started))
    }
}

extension StoryCompleted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .story(StoryState.current(entity, storyId).with(status: .completed))
    }
}

extension StoryCancelled {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .story(StoryState.current(entity, storyId).with(status: .cancelled))
    }
}
