import EventStore
import Exports
import Projections
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Postgres
import Synchronization

/// `GET /v1/exports/{name}.csv`, `.jsonl` and (events) `.cloudevents.jsonl`: `loopline export`
/// over HTTP, streamed.
struct ExportRoutes: Sendable {
    let exporter: Exporter

    /// File suffixes, longest first.
    static let formats: [(suffix: String, format: ExportFormat, contentType: String)] = [
        (".cloudevents.jsonl", .cloudevents, "application/x-ndjson; charset=utf-8"),
        (".jsonl", .jsonl, "application/x-ndjson; charset=utf-8"),
        (".csv", .csv, "text/csv; charset=utf-8"),
    ]
    static let parameters = ["after", "from", "to", "service", "team", "type", "bucket"]

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("exports/{file}") { request, context in try await export(request, file: context.parameters.get("file") ?? "") }
    }

    /// Answers once the export knows what it covers: the `Loopline-After-Position` and
    /// `Loopline-Through-Position` headers say which positions the body reflects, so the next
    /// request continues from `Loopline-Through-Position` (`?after=`). The body then streams.
    func export(_ request: Request, file: String) async throws -> Response {
        guard let (suffix, format, contentType) = Self.formats.first(where: { file.hasSuffix($0.suffix) && file.count > $0.suffix.count }) else {
            throw APIError(
                status: .notFound, code: "unknown_export",
                message: "no export is called \(file); ask for NAME.csv or NAME.jsonl, NAME one of \(ExportRequest.names.joined(separator: ", "))",
                field: "file")
        }
        let export = ExportRequest(name: String(file.dropLast(suffix.count)), format: format, filters: try Self.filters(request.uri.queryParameters))
        // The COPY starts once the body is being written, and at most a few chunks wait for
        // a slow client: the server's memory stays flat whatever the size.
        let channel = ChunkChannel(capacity: 4)
        let gate = StartGate()
        let exporter = exporter
        let producer = Task {
            do {
                _ = try await exporter.run(export, started: gate.open, write: channel.send)
                channel.finish(nil)
            } catch {
                if !gate.fail(error) { channel.finish(error) }
            }
        }
        let manifest: ExportManifest
        do { manifest = try await gate.wait() } catch {
            producer.cancel()
            throw error
        }
        return Response(status: .ok, headers: Self.headers(manifest, contentType: contentType), body: ResponseBody { writer in
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

    static func headers(_ manifest: ExportManifest, contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("Loopline-After-Position")!] = String(manifest.afterPosition)
        headers[HTTPField.Name("Loopline-Through-Position")!] = String(manifest.throughPosition)
        if let positions = manifest.positions {
            headers[HTTPField.Name("Loopline-Read-Model-Positions")!] = positions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")
        }
        return headers
    }

    /// `?after=&from=&to=&service=&team=&type=A,B&bucket=`; `type` may repeat, the others may not.
    static func filters(_ query: Parameters) throws -> ExportFilters {
        var values: [String: String] = [:]
        for (name, value) in query where name != "type" {
            guard parameters.contains(String(name)) else {
                throw APIError.badRequest("invalid_parameter", "exports take \(parameters.joined(separator: ", ")), not \(name)", field: String(name))
            }
            guard values.updateValue(String(value), forKey: String(name)) == nil else {
                throw APIError.badRequest("invalid_parameter", "\(name) is given more than once", field: String(name))
            }
        }
        let arguments = QueryArguments(values)
        let types = query.getAll("type").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        _ = try EventFilter(types: types)  // refuses malformed type names
        return ExportFilters(
            since: values["after"] == nil ? nil : try EventRoutes.integer(query, "after", default: 0, minimum: 0),
            from: try arguments.time("from"), to: try arguments.time("to"), service: arguments.text("service"),
            team: arguments.text("team"), types: types, bucket: arguments.text("bucket"))
    }
}

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
