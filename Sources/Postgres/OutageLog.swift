public import Logging
import Synchronization

/// A warning for a failure that repeats while something stays broken: with PostgreSQL down,
/// every retry of every writer, listener and worker fails the same way, many times a second.
///
/// The first failure is logged at once, with its error. Later ones are counted and summarised
/// every `interval` (how many, for how long, the latest error). The first success after them
/// is logged once, with the outage's length and count. Safe to share between threads.
public final class OutageLog: Sendable {
    private let failure: Logger.Message
    private let recovery: Logger.Message
    private let logger: Logger
    private let interval: Duration
    private let state = Mutex(State())

    private struct State {
        /// When the outage began; nil while things work.
        var since: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
        var failures = 0
        var unreported = 0
    }

    /// What to log, and how often a continuing outage is summarised.
    public init(failure: Logger.Message, recovery: Logger.Message, logger: Logger, interval: Duration = .seconds(30)) {
        self.failure = failure
        self.recovery = recovery
        self.logger = logger
        self.interval = interval
    }

    /// One more failure: logged if it is the first, or when a summary is due.
    public func failed(_ error: any Error, metadata: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let report: (first: Bool, count: Int, since: ContinuousClock.Instant)? = state.withLock { state in
            state.failures += 1
            guard let since = state.since, let last = state.lastReport else {
                state.since = now
                state.lastReport = now
                return (true, 1, now)
            }
            state.unreported += 1
            guard now - last >= interval else { return nil }
            defer { state.unreported = 0 }
            state.lastReport = now
            return (false, state.unreported, since)
        }
        guard let report else { return }
        var metadata = metadata
        metadata["loopline.error"] = "\(error)"
        if !report.first {
            metadata["loopline.failures_since_last_report"] = "\(report.count)"
            metadata["loopline.failing_for_seconds"] = "\(Int((now - report.since).components.seconds))"
        }
        logger.warning(report.first ? failure : "\(failure) (still failing)", metadata: metadata)
    }

    /// A success: logs the recovery if it ends an outage, else does nothing.
    public func recovered(metadata: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let ended: (failures: Int, since: ContinuousClock.Instant)? = state.withLock { state in
            guard let since = state.since else { return nil }
            defer { state = State() }
            return (state.failures, since)
        }
        guard let ended else { return }
        var metadata = metadata
        metadata["loopline.failures"] = "\(ended.failures)"
        metadata["loopline.outage_seconds"] = "\(Int((now - ended.since).components.seconds))"
        logger.notice(recovery, metadata: metadata)
    }

    /// Whether an outage is going on (a failure since the last success).
    public var isFailing: Bool { state.withLock { $0.since != nil } }
}
