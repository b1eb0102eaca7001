import Synchronization

/// Batches from one producer to one consumer, at most `capacity` of them waiting.
///
/// A replay's reader feeds one queue per projection: the reader is held back by the slowest
/// writer only once that writer is `capacity` batches behind, so the faster ones run ahead and
/// both cores stay busy, instead of every projection waiting for the slowest at every batch.
/// Either side waiting wakes with `CancellationError` when its task is cancelled.
final class BatchQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<Element?, any Error>?
        var producer: CheckedContinuation<Void, any Error>?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    private enum Placement {
        case full
        case queued
        case handedTo(CheckedContinuation<Element?, any Error>)
    }

    /// Adds a batch, waiting while the queue is full.
    func send(_ element: Element) async throws {
        while true {
            let placement = state.withLock { state -> Placement in
                guard state.items.count < capacity else { return .full }
                if let consumer = state.consumer {
                    state.consumer = nil  // it waits only while the queue is empty
                    return .handedTo(consumer)
                }
                state.items.append(element)
                return .queued
            }
            switch placement {
            case .full: try await waitForRoom()
            case .queued: return
            case .handedTo(let consumer): return consumer.resume(returning: element)
            }
        }
    }

    /// No more batches: the consumer gets the rest, then nil.
    func finish() {
        let consumer = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil }
            return state.items.isEmpty ? state.consumer : nil
        }
        consumer?.resume(returning: nil)
    }

    /// Every batch waiting, in order, waiting while there is none; empty once finished and
    /// drained. A consumer that fell behind takes what piled up in one go.
    func nextAll() async throws -> [Element] {
        guard let first = try await next() else { return [] }
        let (rest, producer) = state.withLock { state in
            defer {
                state.items.removeAll()
                state.producer = nil
            }
            return (state.items, state.producer)
        }
        producer?.resume()
        return [first] + rest
    }

    /// The next batch, waiting while there is none; nil once finished and drained.
    func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let (outcome, producer) = state.withLock { state -> (Result<Element?, any Error>?, CheckedContinuation<Void, any Error>?) in
                    if !state.items.isEmpty {
                        defer { state.producer = nil }
                        return (.success(state.items.removeFirst()), state.producer)
                    }
                    if state.finished { return (.success(nil), nil) }
                    if Task.isCancelled { return (.failure(CancellationError()), nil) }
                    state.consumer = continuation
                    return (nil, nil)
                }
                producer?.resume()
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { state in defer { state.consumer = nil }; return state.consumer }?.resume(throwing: CancellationError())
        }
    }

    private func waitForRoom() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.items.count < capacity { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.producer = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { state in defer { state.producer = nil }; return state.producer }?.resume(throwing: CancellationError())
        }
    }
}
