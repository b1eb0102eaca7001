/// A published release: `ReleasePublished` is its only event.
public struct ReleaseState: Sendable, Equatable {
    public var releaseId: String
    public var version: String

    public init(releaseId: String, version: String) {
        self.releaseId = releaseId
        self.version = version
    }
}

extension ReleasePublished {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .release(ReleaseState(releaseId: releaseId, version: version))
    }
}
