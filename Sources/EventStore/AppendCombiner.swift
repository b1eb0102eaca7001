import Synchronization

/// Combines appends that arrive while others are being written into one transaction.
///
/// Each append is still its own unit: its own expected-version check and its own result.
/// Nothing waits on purpose: an append that finds a free slot is written at once, alone;
/// appends that arrive while all slots are busy queue up and go together in the next
/// transaction. So one writer sees no added latency, and N concurrent writers cost one round
/// trip, one statement and one commit per batch instead of N of each.
final class AppendCombiner: Sendable {
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

    typealias Writer = @Sendable ([Request]) async -> [Result<Outcome, any Error>]

    private struct Pending {
        var request: Request
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var writing = 0
        var transactions = 0
        var appends = 0
    }

    /// Transactions written and appends they carried, since start.
    var statistics: (transactions: Int, appends: Int) { state.withLock { ($0.transactions, $0.appends) } }

    /// Transactions written at once.
    let slots: Int
    /// Upper bounds for one transaction.
    let maximumAppends: Int
    let maximumEvents: Int
    private let write: Writer
    private let state = Mutex(State())

    init(slots: Int, maximumAppends: Int = 256, maximumEvents: Int = 2_000, write: @escaping Writer) {
        self.slots = max(1, slots)
        self.maximumAppends = maximumAppends
        self.maximumEvents = maximumEvents
        self.write = write
    }

    /// Queues an append and waits for its outcome.
    func submit(_ request: Request) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let batch: [Pending]? = state.withLock { state in
                state.queue.append(Pending(request: request, continuation: continuation))
                guard state.writing < slots else { return nil }
                state.writing += 1
                return takeBatch(&state)
            }
            if let batch { Task { await self.drain(startingWith: batch) } }
        }
    }

    /// Writes batches until the queue is empty, then frees the slot.
    private func drain(startingWith first: [Pending]) async {
        var batch = first
        while true {
            let outcomes = await write(batch.map(\.request))
            for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(with: outcome) }
            let next: [Pending]? = state.withLock { state in
                guard !state.queue.isEmpty else {
                    state.writing -= 1
                    return nil
                }
                return takeBatch(&state)
            }
            guard let next else { return }
            batch = next
        }
    }

    /// The oldest queued appends, within the bounds, at most one per stream (always at
    /// least one). Appends to a stream already in the batch wait for the next one, so each
    /// stream's appends keep their order.
    private func takeBatch(_ state: inout State) -> [Pending] {
        var batch: [Pending] = []
        var left: [Pending] = []
        var streams = Set<String>()
        var events = 0
        for pending in state.queue {
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
        state.queue = left
        state.transactions += 1
        state.appends += batch.count
        return batch
    }
}
