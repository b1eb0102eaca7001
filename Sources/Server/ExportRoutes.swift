import EventStore
import Exports
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Postgres
import Synchronization

/// `GET /v1/exports/events.csv` and `.jsonl`: `loopline export events` over HTTP, streamed.
struct ExportRoutes: Sendable {
    let store: EventStore
    let client: PostgresClient

    static let files: [String: (EventExport.Format, String)] = [
        "events.csv": (.csv, "text/csv; charset=utf-8"),
        "events.jsonl": (.jsonl, "application/x-ndjson; charset=utf-8"),
    ]

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("exports/{file}") { request, context in try await export(request, file: context.parameters.get("file") ?? "") }
    }

    /// `?after=POSITION&type=A,B`: the events after `after` up to the safe position when the
    /// request arrived; the `Loopline-After-Position` and `Loopline-Through-Position` headers
    /// say which, so the next request continues from `Loopline-Through-Position`.
    func export(_ request: Request, file: String) async throws -> Response {
        guard let (format, contentType) = Self.files[file] else {
            throw APIError(
                status: .notFound, code: "unknown_export",
                message: "no export is called \(file); there are \(Self.files.keys.sorted().joined(separator: ", "))", field: "file")
        }
        let query = request.uri.queryParameters
        let after = try EventRoutes.integer(query, "after", default: 0, minimum: 0)
        let types = query.getAll("type").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        _ = try EventFilter(types: types)  // refuses malformed type names
        let export = EventExport(format: format, since: after, types: types)
        let through = max(after, try await store.safePosition())
        let client = client
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("Loopline-After-Position")!] = String(after)
        headers[HTTPField.Name("Loopline-Through-Position")!] = String(through)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // The COPY starts only once the body is being written, and at most a few chunks
                // wait for a slow client: the server's memory stays flat whatever the size.
                let channel = ChunkChannel(capacity: 4)
                let producer = Task {
                    do {
                        _ = try await export.copy(through: through, client: client, write: channel.send)
                        channel.finish(nil)
                    } catch {
                        channel.finish(error)
                    }
                }
                do {
                    for try await chunk in channel.chunks {
                        try await writer.write(chunk)
                        channel.consumed()
                    }
                    try await writer.finish(nil)
                } catch {
                    channel.cancel()
                    producer.cancel()
                    throw error
                }
            })
    }
}

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
        slots.wait()
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
