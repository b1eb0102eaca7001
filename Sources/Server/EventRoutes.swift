import EventStore
import Foundation
import Hummingbird
import JSON

/// `GET /v1/events` (the log, gap-free, filtered: always on the primary, see `ReadSide`) and
/// `GET /v1/streams/{stream}` (on the read side).
struct EventRoutes: Sendable {
    let store: EventStore
    let reads: ReadSide

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("events") { request, _ in try await events(request) }
        group.get("streams/{stream}") { request, context in try await stream(request, context) }
    }

    /// `?after=POSITION&limit=N&type=A,B&category=C`: one page, and where the next starts.
    func events(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let after = try Self.integer(query, "after", default: 0, minimum: 0)
        let limit = try Self.integer(query, "limit", default: 100, minimum: 1, maximum: Int64(EventStore.maximumReadLimit))
        // Empty names ("type=" or "a,,b") are kept, to be refused, not silently dropped.
        let types = query.getAll("type").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let filter = try EventFilter(category: query.get("category"), types: types)
        let page = try await store.read(after: after, limit: Int(limit), filter: filter)
        return Self.page(#"{"events":["#, page.events, #"],"next":\#(page.next)}"#)
    }

    /// `?after=VERSION&limit=N`: a stream's events in version order.
    func stream(_ request: Request, _ context: LooplineRequestContext) async throws -> Response {
        let stream = try StreamName(context.parameters.get("stream") ?? "")
        let query = request.uri.queryParameters
        let after = try Self.integer(query, "after", default: 0, minimum: 0)
        let limit = try Self.integer(query, "limit", default: 100, minimum: 1, maximum: Int64(EventStore.maximumReadLimit))
        try await reads.awaitEvent(request)
        let events = try await reads.store.read(stream: stream, afterVersion: after, limit: Int(limit))
        if events.isEmpty, after == 0 {
            throw APIError(status: .notFound, code: "stream_not_found", message: "stream \(stream) has no events", field: "stream")
        }
        let next = events.last?.streamVersion ?? after
        return Self.page(#"{"stream":\#(JSONText.quoted(stream.rawValue)),"events":["#, events, #"],"next":\#(next)}"#)
    }

    /// Events embedded as the log stores them, without decoding their data.
    static func page(_ head: String, _ events: [RecordedEvent], _ tail: String) -> Response {
        var body = head
        for (index, event) in events.enumerated() {
            if index > 0 { body += "," }
            body += event.jsonLine
        }
        body += tail + "\n"
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func integer(
        _ query: Parameters, _ name: String, default value: Int64, minimum: Int64, maximum: Int64 = .max
    ) throws -> Int64 {
        guard let text = query.get(name) else { return value }
        guard let number = Int64(text), number >= minimum, number <= maximum else {
            throw APIError(
                status: .badRequest, code: "invalid_parameter",
                message: "\(name) must be an integer from \(minimum)\(maximum == .max ? "" : " to \(maximum)")", field: name)
        }
        return number
    }
}
