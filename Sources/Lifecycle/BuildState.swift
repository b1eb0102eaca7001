/// A CI build, folded from `BuildStarted`, `BuildPassed` and `BuildFailed`.
public struct BuildState: Sendable, Equatable {
    public enum Status: String, Sendable {
        case started, passed, failed
    }

    public var buildId: String
    /// The commit the build builds.
    public var sha: String
    public var status: Status

    public init(buildId: String, sha: String, status: Status) {
        self.buildId = buildId
        self.sha = sha
        self.status = status
    }

    public var isFinished: Bool { status != .started }
}

extension BuildStarted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .build(BuildState(buildId: buildId, sha: sha, status: .started))
    }
}

extension BuildPassed {
    /// Also the first event of builds whose CI reports only completion.
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .build(BuildState(buildId: buildId, sha: sha, status: .passed))
    }
}

extension BuildFailed {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .build(BuildState(buildId: buildId, sha: sha, status: .failed))
    }
}
