/// The state of one stream, folded from its events by `Decider.evolve`.
///
/// One value type for every category: the entity says which kind of stream it is. States keep only
/// what decisions need (statuses and the links later events carry), not every field of every event.
public struct StreamState: Sendable, Equatable {
    /// What the stream is about, by category; `empty` until its first event.
    public enum Entity: Sendable, Equatable {
        case empty
        case story(StoryState)
        case commit(CommitState)
        case build(BuildState)
        case testRun(TestRunState)
        case deployment(DeploymentState)
        case release(ReleaseState)
        case metric(MetricState)
        case incident(IncidentState)
        case feedback(FeedbackState)
        case improvement(ImprovementState)
    }

    public var entity: Entity
    /// How many events have been folded in: the stream's version in the log when every event of the stream
    /// was folded (a caller that skips events outside the catalogue must track the log's version itself).
    public var version: Int

    public init(entity: Entity = .empty, version: Int = 0) {
        self.entity = entity
        self.version = version
    }

    /// A stream with no events.
    public static let empty = StreamState()

    /// True once the stream has an event.
    public var exists: Bool { version > 0 }
}

extension StreamState {
    public var story: StoryState? { if case .story(let state) = entity { state } else { nil } }
    public var commit: CommitState? { if case .commit(let state) = entity { state } else { nil } }
    public var build: BuildState? { if case .build(let state) = entity { state } else { nil } }
    public var testRun: TestRunState? { if case .testRun(let state) = entity { state } else { nil } }
    public var deployment: DeploymentState? { if case .deployment(let state) = entity { state } else { nil } }
    public var release: ReleaseState? { if case .release(let state) = entity { state } else { nil } }
    public var metric: MetricState? { if case .metric(let state) = entity { state } else { nil } }
    public var incident: IncidentState? { if case .incident(let state) = entity { state } else { nil } }
    public var feedback: FeedbackState? { if case .feedback(let state) = entity { state } else { nil } }
    public var improvement: ImprovementState? { if case .improvement(let state) = entity { state } else { nil } }
}
