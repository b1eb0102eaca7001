import Access
import Commands
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/commands/{name}`: one command in, the events it wrote out. `POST /v1/commands`:
/// a batch in, each command's outcome out.
struct CommandRoutes: Sendable {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    let handler: CommandHandler
    let maximumBodyBytes: Int
    let metrics: ServerMetrics
    let logger: Logger

    /// A batch body may hold this many times a single command's limit.
    static let batchBodyFactor = 8

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.post("commands/{name}") { request, context in try await handle(request, context) }
        group.post("commands") { request, context in try await handleBatch(request, context) }
    }

    /// A batch answers `200` whenever it could be read, with each command's own status inside.
    func handleBatch(_ request: Request, _ context: LooplineRequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let limit = maximumBodyBytes * Self.batchBodyFactor
        let body = try await Self.collect(request, upTo: limit) { Self.tooLarge($0, what: "a batch body") }
        let principal = context.principal!
        let commands = try CommandBatch.parse(Array(body.readableBytesView))
        let outcomes = await CommandBatch.run(
            commands, handler: handler, caller: (principal.tokenId, principal.name), metrics: metrics)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: CommandBatch.answer(outcomes, logger: logger) + "\n")))
    }

    func handle(_ request: Request, _ context: LooplineRequestContext) async throws -> Response {
        try Self.requireJSON(request)
        let body = try await Self.collect(request, upTo: maximumBodyBytes) { Self.tooLarge($0) }
        let principal = context.principal!
        let name = context.parameters.get("name") ?? ""
        let result: CommandResult
        do throws(CommandError) {
            result = try await handler.handle(
                name: name, body: Data(body.readableBytesView), idempotencyKey: request.headers[Self.idempotencyKey],
                caller: (principal.tokenId, principal.name))
            metrics.commandFinished(name: name, outcome: "ok")
        } catch {
            metrics.commandFinished(name: name, outcome: error.code)
            throw error
        }
        var response = Response(
            status: result.replayed ? .ok : .created, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: result.json + "\n")))
        if result.replayed { response.headers[Self.replayed] = "true" }
        return response
    }

    /// Commands are JSON: a body declared as anything else is refused (no Content-Type is
    /// taken as JSON, for the shortest curl line).
    static func requireJSON(_ request: Request) throws {
        guard let type = request.headers[.contentType] else { return }
        let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard media == "application/json" || media.hasSuffix("+json") else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the command as application/json, not \(media)", field: "Content-Type")
        }
    }

    /// The body, refused before it is read when its declared length is over `limit`, and
    /// while it is read when it turns out to be.
    static func collect(_ request: Request, upTo limit: Int, tooLarge: (Int) -> any Error) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge(limit) }
        do { return try await request.body.collect(upTo: limit) } catch { throw tooLarge(limit) }
    }

    static func tooLarge(_ limit: Int, what: String = "a command body") -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "\(what) may hold at most \(limit) bytes")
    }
}
