/// The state of the log as readers see it.
public struct LogStatus: Sendable, Hashable, Codable {
    /// The highest position committed so far.
    public var headPosition: Int64
    /// Readers can go up to here; above it they wait for `blockers` to finish.
    public var safePosition: Int64
    /// True when committed events wait behind a hole that a running append may still fill.
    public var heldBack: Bool
    /// Committed events above `safePosition`, waiting.
    public var waitingEvents: Int64
    /// The running transactions the readers wait for.
    public var blockers: [BlockingTransaction]
    /// Every transaction appending right now, with how long it has been open.
    public var openAppends: [BlockingTransaction]
}
