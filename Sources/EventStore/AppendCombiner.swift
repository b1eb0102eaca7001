import Foundation
import Logging
import Postgres

/// Combines appends that arrive while others are being written into one transaction, and
/// writes them on threads of its own.
///
/// Each append is still its own unit: its own expected-version check and its own result.
/// Nothing waits on purpose: an append that finds a writer free is written at once, alone;
/// appends that arrive while all writers are busy queue up and go together in the next
/// transaction. So one writer sees no added latency, and N concurrent writers cost one round
/// trip, one statement per append and one commit per batch instead of N of each.
///
/// The writers are dedicated threads, each with its own connection, that block in libpq and
/// hand results straight back to the waiting appends: no pool lease and no hop between
/// thread pools per transaction (measured: those hops cost a third of the append rate). A
/// writer idle for a few seconds closes its connection and ends; the next append starts one.
final class AppendCombiner: @unchecked Sendable {
    /// One append waiting to be written.
    struct Request: Sendable {
        var stream: String
        var expected: Int64?
        var events: [NewEvent]
    }

    /// What became of one append.
    enum Outcome: Sendable, Equatable {
        case appended([AppendedEvent])
        /// Refused by its expected version; the stream's actual version.
        case conflict(actualVersion: Int64)
    }

    typealias Writer = @Sendable ([Request], Connection) -> [Result<Outcome, any Error>]

    private struct Pending {
        var request: Request
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    /// A writer ends after this long without work.
    static let idleTimeout: TimeInterval = 5

    /// Writer threads at most (two measured best: commits overlap, batches stay large).
    let writers: Int
    /// Upper bounds for one transaction.
    let maximumAppends = 256
    let maximumEvents = 2_000
    private let configuration: PostgresClient.Configuration
    /// While PostgreSQL is down every append fails to connect: one warning, then summaries.
    private let outage: OutageLog
    private let write: Writer

    // Guarded by `condition` (the unchecked Sendable rests on that).
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var running = 0
    private var idle = 0
    private var totals = AppendStatistics()

    init(configuration: PostgresClient.Configuration, writers: Int, logger: Logger, write: @escaping Writer) {
        var configuration = configuration
        configuration.applicationName += "-writer"
        self.configuration = configuration
        self.writers = max(1, writers)
        self.outage = OutageLog(failure: "append writer could not connect", recovery: "append writer connected again", logger: logger)
        self.write = write
    }

    /// Transactions written, appends they carried and appends refused, since start.
    var statistics: AppendStatistics {
        condition.lock()
        defer { condition.unlock() }
        return totals
    }

    /// Queues an append and waits for its outcome.
    func submit(_ request: Request) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            queue.append(Pending(request: request, continuation: continuation))
            let startWriter = idle == 0 && running < writers
            if startWriter { running += 1 } else { condition.signal() }
            condition.unlock()
            if startWriter {
                let thread = Thread { [self] in writerLoop() }
                thread.name = "loopline-append-writer"
                thread.start()
            }
        }
    }

    /// One writer: takes batches until idle for `idleTimeout`, writing each on its connection.
    private func writerLoop() {
        var connection: Connection?
        while let batch = nextBatch() {
            let requests = batch.map(\.request)
            let outcomes: [Result<Outcome, any Error>]
            do {
                if let existing = connection, !existing.isAliveWhenIdle() { connection = nil }
                if connection == nil {
                    connection = try Connection(conninfo: configuration.conninfo, applicationName: configuration.applicationName)
                    outage.recovered()
                }
                outcomes = write(requests, connection!)
                if connection?.isOK != true { connection = nil }
            } catch {
                outage.failed(error)
                outcomes = requests.map { _ in .failure(error) }
            }
            count(conflictsIn: outcomes)
            for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(with: outcome) }
        }
    }

    private func count(conflictsIn outcomes: [Result<Outcome, any Error>]) {
        let conflicts = outcomes.count { if case .success(.conflict) = $0 { true } else { false } }
        guard conflicts > 0 else { return }
        condition.lock()
        totals.conflicts += conflicts
        condition.unlock()
    }

    /// Waits for work; nil when none came within the idle timeout (the writer then ends).
    private func nextBatch() -> [Pending]? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Self.idleTimeout)
        while queue.isEmpty {
            idle += 1
            let signalled = condition.wait(until: deadline)
            idle -= 1
            if !signalled && queue.isEmpty {
                running -= 1
                return nil
            }
        }
        return takeBatch()
    }

    /// The oldest queued appends, within the bounds, at most one per stream (always at
    /// least one). Appends to a stream already in the batch wait for the next one, so each
    /// stream's appends keep their order. Called with the lock held.
    private func takeBatch() -> [Pending] {
        var batch: [Pending] = []
        var left: [Pending] = []
        var streams = Set<String>()
        var events = 0
        for pending in queue {
            let fits =
                batch.isEmpty
                || (batch.count < maximumAppends && events + pending.request.events.count <= maximumEvents)
            if fits && streams.insert(pending.request.stream).inserted {
                batch.append(pending)
                events += pending.request.events.count
            } else {
                left.append(pending)
            }
        }
        queue = left
        totals.transactions += 1
        totals.appends += batch.count
        return batch
    }
}
