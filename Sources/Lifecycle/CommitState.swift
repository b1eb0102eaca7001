/// An integrated commit: `CommitIntegrated` is its only event.
public struct CommitState: Sendable, Equatable {
    public var sha: String

    public init(sha: String) {
        self.sha = sha
    }
}

extension CommitIntegrated {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .commit(CommitState(sha: sha))
    }
}
