/// A completed test run: `TestRunCompleted` is its only event.
public struct TestRunState: Sendable, Equatable {
    public var runId: String
    /// True when no test failed.
    public var isGreen: Bool

    public init(runId: String, isGreen: Bool) {
        self.runId = runId
        self.isGreen = isGreen
    }
}

extension TestRunCompleted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .testRun(TestRunState(runId: runId, isGreen: failed == 0))
    }
}
