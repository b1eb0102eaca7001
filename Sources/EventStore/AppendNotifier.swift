import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// Sends the NOTIFY that wakes other processes' followers after appends commit, coalesced.
///
/// A NOTIFY costs a transaction and the notification queue's database-wide lock. Sent with
/// every append, it cost a third of the append rate under concurrency. While the store
/// runs as a service, appends only mark the notifier dirty after they commit; it sends one
/// NOTIFY per round, at most one in flight and one per 5 ms, and every append that
/// committed before a round started is covered by that round. Without the service (one-shot
/// commands), each append sends its own NOTIFY in its pipeline.
final class AppendNotifier: Sendable {
    /// The least time between two notifications: bounds their cost (at 1 ms they took a sixth
    /// of the append rate under load), adds at most this latency for other processes.
    static let spacing: Duration = .milliseconds(5)

    private struct State {
        var active = false
        var dirty = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// True while the loop runs: appends may then leave the NOTIFY to it.
    var isActive: Bool { state.withLock { $0.active } }

    /// Records that an append committed. Returns false when the loop is not running, and
    /// the caller must notify itself.
    func appendCommitted() -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.active else { return (false, nil) }
            state.dirty = true
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// Sends notifications until graceful shutdown or cancellation, then a last one if needed.
    func run(_ send: @escaping @Sendable () async throws -> Void, logger: Logger) async {
        state.withLock { $0.active = true }
        await withGracefulShutdownHandler {
            while await nextRound() {
                do {
                    try await send()
                } catch {
                    // The appends are committed; followers still poll. Try again next round.
                    logger.debug("could not send the append notification", metadata: ["loopline.error": "\(error)"])
                    state.withLock { $0.dirty = true }
                }
                try? await Task.sleep(for: Self.spacing)
            }
        } onGracefulShutdown: {
            self.stop()
        }
        // Appends that committed while stopping.
        if state.withLock({ $0.dirty }) { try? await send() }
    }

    /// Waits until dirty (clearing it) or stopped; false when stopped.
    private func nextRound() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if state.dirty || !state.active || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            stop()
        }
        return state.withLock { state in
            guard state.active else { return false }
            state.dirty = false
            return true
        }
    }

    private func stop() {
        let waiter = state.withLock { state in
            state.active = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
