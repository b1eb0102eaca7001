import Logging

/// Follows the log: every event after a position, in position order, exactly once, then new
/// events as they are committed; it ends only when its task is cancelled.
///
/// Pull-based, so a slow consumer simply reads later: nothing piles up in memory. Lost
/// connections and server restarts are retried with backoff from the last delivered
/// position, so nothing is skipped or repeated.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    /// How a subscription reads and waits.
    public struct Options: Sendable {
        /// Events fetched per statement.
        public var batchSize = 500
        /// How often to look for new events when no notification arrives.
        public var pollInterval: Duration = .seconds(1)
        /// Only the events that match.
        public var filter: EventFilter

        public init(batchSize: Int = 500, pollInterval: Duration = .seconds(1), filter: EventFilter = EventFilter()) {
            self.batchSize = batchSize
            self.pollInterval = pollInterval
            self.filter = filter
        }
    }

    let store: EventStore
    let start: Int64
    let options: Options

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, position: start, options: options)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let store: EventStore
        /// Everything up to here has been delivered or stepped over.
        var position: Int64
        let options: Options
        var buffer: [RecordedEvent] = []
        var index = 0
        var bufferThrough: Int64 = 0

        /// The next event; nil once the task is cancelled.
        public mutating func next() async throws -> RecordedEvent? {
            while index == buffer.count {
                position = Swift.max(position, bufferThrough)
                guard let batch = try await store.nextBatch(after: position, options: options) else { return nil }
                (buffer, bufferThrough, index) = (batch.events, batch.through, 0)
            }
            defer { index += 1 }
            position = buffer[index].position
            return buffer[index]
        }
    }
}

extension EventStore {
    /// Follows the log from after `position` (0 = from the beginning).
    public func follow(after position: Int64 = 0, options: EventSubscription.Options = .init()) -> EventSubscription {
        EventSubscription(store: self, start: position, options: options)
    }

    /// The next page of the log after `position` that holds events, waiting for one to be
    /// committed if need be; nil once the task is cancelled. Batch-wise `follow`, for
    /// consumers that apply many events at a time (projections): `next` is where to ask again.
    ///
    /// With `waitingAtMost`, a page with no events comes back once that long has passed with
    /// nothing (its `next` past whatever a filter stepped over): a caller that must speak while
    /// idle (an SSE heartbeat) gets its turn without cancelling a read, which under load could
    /// otherwise be cancelled again and again before it finishes.
    public func nextPage(
        after position: Int64, options: EventSubscription.Options = .init(), waitingAtMost limit: Duration? = nil
    ) async throws -> LogPage? {
        let deadline = limit.map { ContinuousClock.now + $0 }
        guard let batch = try await nextBatch(after: position, options: options, deadline: deadline) else { return nil }
        return LogPage(events: batch.events, next: batch.through)
    }

    /// Waits for the next non-empty safe batch after `position`; nil when cancelled; an empty
    /// batch once `deadline` has passed.
    func nextBatch(after position: Int64, options: EventSubscription.Options, deadline: ContinuousClock.Instant? = nil) async throws -> (
        events: [RecordedEvent], through: Int64
    )? {
        /// How long to wait at most before looking again: `wanted`, cut short by the deadline.
        func wait(_ wanted: Duration) -> Duration? {
            guard let deadline else { return wanted }
            let left = deadline - ContinuousClock.now
            return left <= .zero ? nil : min(wanted, left)
        }
        var failures = 0
        var blockedDelay: Duration = .milliseconds(1)
        var position = position
        while !Task.isCancelled {
            let generation = wake.generation
            do {
                let batch = try await readBatch(after: position, limit: options.batchSize, filter: options.filter, fresh: false)
                if failures > 0 { logger.info("log follower reconnected", metadata: ["loopline.position": "\(position)"]) }
                failures = 0
                if !batch.events.isEmpty { return batch }
                position = batch.through
            } catch let error where error.isTransientDatabaseFailure {
                failures += 1
                if failures == 1 {
                    logger.warning("log follower lost the database; retrying", metadata: ["loopline.error": "\(error)"])
                }
                guard let pause = wait(.milliseconds(min(5000, 50 << min(failures, 7)))) else { return ([], position) }
                try? await Task.sleep(for: pause)
                continue
            }
            if horizon.isBlocked {
                // A hole's owners usually finish within milliseconds and a rollback sends no
                // notification: look again soon, backing off towards the poll interval.
                guard let pause = wait(blockedDelay) else { return ([], position) }
                await wake.wait(after: generation, timeout: pause)
                blockedDelay = min(blockedDelay * 2, .milliseconds(100))
            } else {
                blockedDelay = .milliseconds(1)
                guard let pause = wait(options.pollInterval) else { return ([], position) }
                await wake.wait(after: generation, timeout: pause)
            }
        }
        return nil
    }
}
