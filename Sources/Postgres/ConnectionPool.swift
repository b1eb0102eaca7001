import Synchronization

/// A place for one connection. The pool hands each slot to one user at a time, so the
/// connection inside is never used by two threads at once; that exclusivity is what makes
/// the unchecked `Sendable` sound.
final class ConnectionSlot: @unchecked Sendable {
    var connection: Connection?
}

/// Counts that describe the pool at one moment, for health checks and metrics.
public struct PoolStatistics: Sendable {
    /// The most connections the pool opens.
    public var size: Int
    /// Slots leased right now.
    public var inUse: Int
    /// Open connections waiting to be leased.
    public var idle: Int
    /// Callers waiting for a slot.
    public var waiting: Int
    /// Acquisitions that gave up after the acquire timeout, since start.
    public var acquireTimeouts: Int
}

/// A bounded set of connection slots with a FIFO queue of waiters and acquire timeouts.
/// Pure bookkeeping: it never touches libpq, so it is safe to call from any task.
final class ConnectionPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<ConnectionSlot, any Error>
        var timeout: Task<Void, Never>?
    }

    private struct State {
        var free: [ConnectionSlot]
        var waiters: [Waiter] = []
        /// Ids handed to callers that have not queued yet; true once cancelled meanwhile.
        var queueing: [UInt64: Bool] = [:]
        var nextWaiterID: UInt64 = 0
        var inUse = 0
        var acquireTimeouts = 0
        var closed = false
        /// Callers of `close()` waiting for the leased slots to come back (close may be
        /// called more than once, e.g. by a service shutdown and by its owner).
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let size: Int
    private let acquireTimeout: Duration

    init(size: Int, acquireTimeout: Duration) {
        precondition(size > 0, "a pool needs at least one connection")
        self.size = size
        self.acquireTimeout = acquireTimeout
        self.state = Mutex(State(free: (0..<size).map { _ in ConnectionSlot() }))
    }

    var statistics: PoolStatistics {
        state.withLock { state in
            PoolStatistics(
                size: size, inUse: state.inUse, idle: state.free.count(where: { $0.connection != nil }),
                waiting: state.waiters.count, acquireTimeouts: state.acquireTimeouts)
        }
    }

    /// Leases a slot, waiting up to the acquire timeout for one to be released.
    func acquire() async throws -> ConnectionSlot {
        let (slot, id): (ConnectionSlot?, UInt64) = try state.withLock { state in
            guard !state.closed else { throw PostgresError(kind: .closed, message: "the database client is shut down") }
            if let slot = state.free.popLast() {
                state.inUse += 1
                return (slot, 0)
            }
            state.nextWaiterID += 1
            state.queueing[state.nextWaiterID] = false
            return (nil, state.nextWaiterID)
        }
        if let slot { return slot }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(id: id, continuation)
            }
        } onCancel: {
            fail(waiter: id, with: CancellationError())
        }
    }

    private func enqueue(id: UInt64, _ continuation: CheckedContinuation<ConnectionSlot, any Error>) {
        let immediate: Result<ConnectionSlot, any Error>? = state.withLock { state in
            if state.queueing.removeValue(forKey: id) == true { return .failure(CancellationError()) }
            if state.closed { return .failure(PostgresError(kind: .closed, message: "the database client is shut down")) }
            if let slot = state.free.popLast() {
                state.inUse += 1
                return .success(slot)
            }
            state.waiters.append(Waiter(id: id, continuation: continuation))
            return nil
        }
        if let immediate {
            continuation.resume(with: immediate)
            return
        }
        let timeout = acquireTimeout
        let size = size
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.fail(
                waiter: id,
                with: PostgresError(
                    kind: .acquireTimeout,
                    message: "no database connection became free within \(timeout) (pool size \(size))"),
                countsAsTimeout: true)
        }
        state.withLock { state in
            if let index = state.waiters.firstIndex(where: { $0.id == id }) { state.waiters[index].timeout = timer }
        }
    }

    private func fail(waiter id: UInt64, with error: any Error, countsAsTimeout: Bool = false) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                if state.queueing[id] != nil { state.queueing[id] = true }
                return nil
            }
            if countsAsTimeout { state.acquireTimeouts += 1 }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return }
        if !countsAsTimeout { waiter.timeout?.cancel() }
        waiter.continuation.resume(throwing: error)
    }

    /// Returns a slot: handed straight to the longest waiter, or put back as free.
    func release(_ slot: ConnectionSlot) {
        let (waiter, drained): (Waiter?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            if !state.waiters.isEmpty {
                return (state.waiters.removeFirst(), [])
            }
            state.inUse -= 1
            // Open connections go on top so the warmest one is leased next.
            if slot.connection != nil { state.free.append(slot) } else { state.free.insert(slot, at: 0) }
            guard state.closed && state.inUse == 0 else { return (nil, []) }
            defer { state.drained.removeAll() }
            return (nil, state.drained)
        }
        if let waiter {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: slot)
        }
        drained.forEach { $0.resume() }
    }

    /// Refuses new leases, fails the waiters, waits for leased slots to come back, and
    /// returns every slot so the caller can close the connections.
    func close() async -> [ConnectionSlot] {
        let waiters: [Waiter] = state.withLock { state in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError(kind: .closed, message: "the database client is shut down"))
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if state.inUse == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        return state.withLock { state in
            defer { state.free.removeAll() }
            return state.free
        }
    }
}
