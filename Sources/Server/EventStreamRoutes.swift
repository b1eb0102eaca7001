import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/events/stream`: the gap-free log as Server-Sent Events, for the dashboard and for
/// anyone who wants a live feed over plain HTTP. Each event is one SSE message whose `id` is
/// its position and whose `data` is the event as `GET /v1/events` gives it; a client that
/// reconnects with `Last-Event-ID` resumes after it, with no gap and no duplicate. A comment
/// line every `heartbeat` keeps proxies from closing an idle stream. Each message is written
/// with `await`, so a client that does not read holds its own stream back and nothing queues.
struct EventStreamRoutes: Sendable {
    let store: EventStore
    let heartbeat: Duration

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("events/stream") { request, _ in try await stream(request) }
    }

    func stream(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let types = query.getAll("type").flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let filter = try EventFilter(category: query.get("category"), types: types)
        let start = try await startPosition(request)
        let store = store
        let heartbeat = heartbeat
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // The retry hint and a first comment flush the headers at once.
            try await writer.write(ByteBuffer(string: "retry: 2000\n: stream after \(start)\n\n"))
            var position = start
            while !Task.isCancelled {
                // An empty page after `heartbeat` of silence: the read itself is never cancelled.
                guard let page = try await store.nextPage(after: position, options: .init(filter: filter), waitingAtMost: heartbeat) else { break }
                position = page.next
                if page.events.isEmpty {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    continue
                }
                var text = ""
                for event in page.events { text += "id: \(event.position)\ndata: \(event.jsonLine)\n\n" }
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        })
    }

    /// `Last-Event-ID` (a reconnect) wins over `after`; `after=head` starts at the newest event.
    func startPosition(_ request: Request) async throws -> Int64 {
        if let resume = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let position = Int64(resume.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw APIError(status: .badRequest, code: "invalid_parameter", message: "Last-Event-ID must be a log position", field: "Last-Event-ID")
            }
            return position
        }
        if request.uri.queryParameters.get("after") == "head" { return try await store.headPosition() }
        return try EventRoutes.integer(request.uri.queryParameters, "after", default: 0, minimum: 0)
    }
}
