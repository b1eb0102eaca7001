import Foundation
import Hummingbird
import EventStore
import Projections

/// `GET /v1/stages/{stage}/{query}` (the read models' queries), `GET /v1/dora`,
/// `GET /v1/value-stream/stories/{id}` and `GET /v1/projections`.
/// All of them read on the read side (a replica when one is configured), after waiting for
/// `minPosition` when the request carries one.
struct ReadModelRoutes: Sendable {
    let reads: ReadSide
    let projections: [any Projection]

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.get("stages/{stage}/{query}") { request, context in
            let query = try ReadModelQueries.find(stage: context.parameters.get("stage") ?? "", name: context.parameters.get("query") ?? "")
            let arguments = try Self.arguments(request)
            try await reads.awaitReadModels(request)
            return Self.json(try await query.run(arguments, client: reads.store.client))
        }
        group.get("value-stream/stories/{id}") { request, context in
            var arguments = try Self.arguments(request)
            arguments.values["storyId"] = context.parameters.get("id")
            try await reads.awaitReadModels(request)
            return Self.json(try await ReadModelQueries.find(stage: "value-stream", name: "story").run(arguments, client: reads.store.client))
        }
        group.get("dora") { request, _ in
            let arguments = try Self.arguments(request)
            try await reads.awaitReadModels(request)
            return Self.json(try await ReadModelQueries.find(stage: "dora", name: "report").run(arguments, client: reads.store.client))
        }
        group.get("projections") { request, _ in
            try await reads.awaitReadModels(request)
            return try JSONResponse.make(ProjectionList(projections: try await ProjectionStatus.all(projections, client: reads.store.client)))
        }
    }

    struct ProjectionList: Encodable {
        var projections: [ProjectionStatus]
    }

    /// The query string as query arguments (but `minPosition`, which is the read side's); a
    /// parameter given twice is refused.
    static func arguments(_ request: Request) throws -> QueryArguments {
        var arguments: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name != Substring(ReadSide.parameter) {
            guard arguments[String(name)] == nil else {
                throw APIError.badRequest("invalid_parameter", "\(name) is given more than once", field: String(name))
            }
            arguments[String(name)] = String(value)
        }
        return QueryArguments(arguments)
    }

    /// A JSON answer PostgreSQL built.
    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
