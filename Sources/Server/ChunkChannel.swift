import Foundation
import NIOCore
import Synchronization

/// Chunks from a blocking producer (COPY on a libpq thread) to the response writer: rows are
/// gathered into chunks of about 64 KiB, and the producer waits while `capacity` chunks are
/// unwritten.
final class ChunkChannel: Sendable {
    let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let slots: DispatchSemaphore
    private let state = Mutex<(pending: ByteBuffer, cancelled: Bool)>((ByteBuffer(), false))
    static let chunkBytes = 64 * 1024

    init(capacity: Int) {
        (chunks, continuation) = AsyncThrowingStream.makeStream()
        slots = DispatchSemaphore(value: capacity)
    }

    /// Called by COPY for each row, on its blocking thread.
    @Sendable func send(_ bytes: UnsafeRawBufferPointer) throws {
        let full: ByteBuffer? = state.withLock { state in
            state.pending.writeBytes(bytes)
            guard state.pending.readableBytes >= Self.chunkBytes else { return nil }
            defer { state.pending = ByteBuffer() }
            return state.pending
        }
        if let full { try deliver(full) }
    }

    private func deliver(_ chunk: ByteBuffer) throws {
        // A client that reads nothing for a minute (or never asked for the body) lets go of
        // the database connection.
        if slots.wait(timeout: .now() + .seconds(60)) == .timedOut { throw CancellationError() }
        if state.withLock({ $0.cancelled }) { throw CancellationError() }
        continuation.yield(chunk)
    }

    func consumed() { slots.signal() }

    /// Ends the stream; the last partial chunk goes without waiting for a slot (this runs on
    /// the concurrency pool, where nothing may block).
    func finish(_ error: (any Error)?) {
        let rest = state.withLock { state in state.pending }
        if error == nil, rest.readableBytes > 0 { continuation.yield(rest) }
        continuation.finish(throwing: error)
    }

    /// The client went away: release the producer, which then aborts the COPY.
    func cancel() {
        state.withLock { $0.cancelled = true }
        for _ in 0..<64 { slots.signal() }
    }
}
