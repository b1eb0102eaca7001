import Exports
import Synchronization

/// Hands the export's manifest (or its early failure) from the producer task to the route,
/// which answers with headers only once it knows what the body will hold.
final class StartGate: Sendable {
    private enum State {
        case pending(CheckedContinuation<ExportManifest, any Error>?)
        case opened(ExportManifest)
        case failed(any Error)
        case done
    }
    private let state = Mutex<State>(.pending(nil))

    @Sendable func open(_ manifest: ExportManifest) { settle(.opened(manifest)) }

    /// False when the gate was already open: the error happened mid-stream.
    func fail(_ error: any Error) -> Bool { settle(.failed(error)) }

    @discardableResult
    private func settle(_ outcome: State) -> Bool {
        let (settled, waiter): (Bool, CheckedContinuation<ExportManifest, any Error>?) = state.withLock { state in
            guard case .pending(let waiter) = state else { return (false, nil) }
            state = waiter == nil ? outcome : .done
            return (true, waiter)
        }
        if let waiter { Self.resume(waiter, with: outcome) }
        return settled
    }

    func wait() async throws -> ExportManifest {
        try await withCheckedThrowingContinuation { continuation in
            let ready: State? = state.withLock { state in
                guard case .pending = state else {
                    defer { state = .done }
                    return state
                }
                state = .pending(continuation)
                return nil
            }
            if let ready { Self.resume(continuation, with: ready) }
        }
    }

    private static func resume(_ continuation: CheckedContinuation<ExportManifest, any Error>, with outcome: State) {
        switch outcome {
        case .opened(let manifest): continuation.resume(returning: manifest)
        case .failed(let error): continuation.resume(throwing: error)
        case .pending, .done: continuation.resume(throwing: CancellationError())
        }
    }
}
