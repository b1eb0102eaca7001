import Foundation
import Logging
import Postgres
import Synchronization

/// This process's view of how far the log is safe to read (see `LogHorizon`), shared by all
/// its readers and followers.
///
/// Concurrent `refresh()` calls coalesce: while one round of statements runs, new callers
/// queue for the next round, so each caller gets a horizon judged from a snapshot taken
/// after it asked, and N idle followers woken at once cost one statement, not N.
final class HorizonTracker: Sendable {
    /// Positions judged per statement while catching up.
    static let window = 10_000
    /// Statements per refresh while catching up, before readers get a turn.
    static let statementsPerRefresh = 4
    /// Held at a hole this long, ask which running transactions can still fill it.
    static let narrowAfter: Duration = .milliseconds(20)
    /// Held this long, say which transactions hold the log back (and again every interval).
    static let reportAfter: Duration = .seconds(1)
    static let reportInterval: Duration = .seconds(10)

    private struct State {
        var horizon = LogHorizon()
        /// False until the first round has started the horizon near the head.
        var started = false
        var running = false
        var pending: [CheckedContinuation<Int64, any Error>] = []
        var blockedSince: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
        var blockers: [BlockingTransaction] = []
    }

    private let client: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The highest position known to be safe, without asking the database.
    var safePosition: Int64 { state.withLock { $0.horizon.safePosition } }

    /// How many times readers had to wait at a hole since start.
    var fencesRaised: Int { state.withLock { $0.horizon.fencesRaised } }

    /// True while the horizon waits at a hole for running transactions.
    var isBlocked: Bool { state.withLock { $0.horizon.fence != nil } }

    /// Advances the horizon with fresh statements and returns the safe position.
    func refresh() async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.pending.append(continuation)
                defer { state.running = true }
                return !state.running
            }
            if start { Task { await self.serve() } }
        }
    }

    /// Runs rounds until nobody waits; each round serves the callers queued before it began.
    private func serve() async {
        while true {
            let waiters = state.withLock { state in
                defer { state.pending.removeAll() }
                if state.pending.isEmpty { state.running = false }
                return state.pending
            }
            guard !waiters.isEmpty else { return }
            let outcome: Result<Int64, any Error>
            do {
                outcome = .success(try await advance())
            } catch {
                outcome = .failure(error)
            }
            for waiter in waiters { waiter.resume(with: outcome) }
        }
    }

    private func advance() async throws -> Int64 {
        if !state.withLock({ $0.started }) { try await start() }
        for _ in 0..<Self.statementsPerRefresh {
            let (from, narrow) = state.withLock { state in
                (state.horizon.safePosition, state.blockedSince.map { $0.duration(to: .now) > Self.narrowAfter } ?? false)
            }
            let (observation, appenders) = try await client.withConnection { connection in
                let observation = try HorizonProbe.observe(connection, from: from, window: Self.window)
                // Only after the observation's snapshot: that ordering is what makes narrowing sound.
                let appenders = narrow ? try HorizonProbe.appendingTransactions(connection) : nil
                return (observation, appenders)
            }
            let next = state.withLock { state in
                var next = state.horizon.observe(observation)
                if let appenders, state.horizon.fence != nil {
                    state.horizon.restrictFence { appenders.contains($0.shortTransactionId) }
                    if state.horizon.fence == nil { next = .readAgain }
                }
                return next
            }
            if next != .readAgain { break }
        }
        try await trackBlocking()
        return safePosition
    }

    /// Starts the horizon where a fresh judgement puts it, a few statements however long the
    /// log is, rather than at 0: walking there a window at a time would hold every reader of a
    /// new process back for a statement per 10,000 events (seconds on a long log).
    private func start() async throws {
        let safe = try await client.withConnection { connection in try EventStore.judgeSafePosition(connection) }
        // Rounds run one at a time, so nothing has moved the horizon meanwhile.
        state.withLock { $0.horizon = LogHorizon(safePosition: safe); $0.started = true }
    }

    /// Notes when the horizon started waiting, and logs who it waits for when that lasts.
    private func trackBlocking() async throws {
        enum Action { case none, report(Set<UInt64>), released(Duration) }
        let action: Action = state.withLock { state in
            let now = ContinuousClock.now
            guard let fence = state.horizon.fence else {
                defer { state.blockedSince = nil; state.lastReport = nil; state.blockers = [] }
                if let since = state.blockedSince, state.lastReport != nil { return .released(since.duration(to: now)) }
                return .none
            }
            guard let since = state.blockedSince else {
                state.blockedSince = now
                return .none
            }
            let due = state.lastReport.map { $0.duration(to: now) >= Self.reportInterval } ?? (since.duration(to: now) >= Self.reportAfter)
            guard due else { return .none }
            state.lastReport = now
            return .report(fence.waitingOn)
        }
        switch action {
        case .none:
            return
        case .released(let duration):
            logger.info("log readers released", metadata: ["loopline.held_back_seconds": "\(duration.seconds)"])
        case .report(let transactions):
            let blockers = try await client.withConnection { connection in
                try HorizonProbe.describe(connection, transactions: transactions)
            }
            state.withLock { $0.blockers = blockers }
            let safe = safePosition
            for blocker in blockers {
                logger.warning(
                    "log readers held back by an open transaction",
                    metadata: [
                        "loopline.safe_position": "\(safe)",
                        "loopline.blocker.transaction_id": "\(blocker.transactionId)",
                        "loopline.blocker.pid": "\(blocker.pid.map(String.init) ?? "gone")",
                        "loopline.blocker.open_seconds": "\(blocker.openForSeconds.map { String(format: "%.1f", $0) } ?? "?")",
                        "loopline.blocker.state": "\(blocker.state ?? "?")",
                        "loopline.blocker.application": "\(blocker.applicationName ?? "")",
                        "loopline.blocker.appending": "\(blocker.appending)",
                    ])
            }
        }
    }

    /// The transactions last reported as holding the horizon back.
    var blockers: [BlockingTransaction] { state.withLock { $0.blockers } }
}

extension Duration {
    /// Seconds as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
