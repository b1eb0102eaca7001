import Access
import Commands
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/commands/{name}`: one command in, the events it wrote out.
struct CommandRoutes: Sendable {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    let handler: CommandHandler
    let maximumBodyBytes: Int
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.post("commands/{name}") { request, context in try await handle(request, context) }
    }

    func handle(_ request: Request, _ context: LooplineRequestContext) async throws -> Response {
        try Self.requireJSON(request)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
            throw Self.tooLarge(maximumBodyBytes)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maximumBodyBytes) } catch { throw Self.tooLarge(maximumBodyBytes) }
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

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "a command body may hold at most \(limit) bytes")
    }
}
