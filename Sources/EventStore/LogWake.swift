import Synchronization

/// A wake-up signal for followers: a counter that goes up whenever the log may have grown,
/// and a way to sleep until it does or a poll interval passes.
final class LogWake: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Ids handed out whose continuation is not registered yet; true once cancelled.
        var registering: [UInt64: Bool] = [:]
    }

    private let state = Mutex(State())

    /// The current count; pass it to `wait(after:timeout:)` to sleep past it.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every sleeper.
    func signal() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps until the count passes `generation`, `timeout` elapses, or the task is cancelled.
    func wait(after generation: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal(after: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(after generation: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            state.registering[state.nextWaiterID] = false
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    let cancelled = state.registering.removeValue(forKey: id) ?? false
                    if state.generation != generation || cancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                if state.registering[id] != nil { state.registering[id] = true }
                return state.waiters.removeValue(forKey: id)
            }
            waiter?.resume()
        }
    }
}
