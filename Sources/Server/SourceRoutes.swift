import Foundation
import Hummingbird
import Ingest

/// The admin's view of ingestion: `/v1/sources` (create, list, show, update, rotate the secret,
/// delete) and `/v1/deliveries` (list, show, retry dead letters).
struct SourceRoutes: Sendable {
    let pipeline: IngestPipeline

    struct Sources: Encodable { var sources: [Source] }
    struct Deliveries: Encodable { var deliveries: [DeliveryRecord] }
    struct Retried: Encodable { var retried: [IngestAnswer] }

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        let sources = pipeline.sources
        group.post("sources") { request, context in
            let wanted = try await Self.decode(SourceRequest.self, request, context)
            let issued = try await sources.create(name: wanted.name, kind: wanted.kind, settings: wanted.settings())
            return try JSONResponse.make(issued, status: .created)
        }
        group.get("sources") { _, _ in try JSONResponse.make(Sources(sources: try await sources.list())) }
        group.get("sources/{name}") { _, context in try JSONResponse.make(try await sources.show(Self.name(context))) }
        group.patch("sources/{name}") { request, context in
            let current = try await sources.show(Self.name(context))
            let wanted = try await Self.decode(SourceRequest.Update.self, request, context)
            return try JSONResponse.make(try await sources.update(current.name, settings: wanted.settings(over: current.settings)))
        }
        group.post("sources/{name}/rotate-secret") { _, context in
            try JSONResponse.make(try await sources.rotateSecret(Self.name(context)))
        }
        group.delete("sources/{name}") { _, context in try JSONResponse.make(try await sources.delete(Self.name(context))) }
        addDeliveryRoutes(to: group)
    }

    private func addDeliveryRoutes(to group: RouterGroup<LooplineRequestContext>) {
        let deliveries = pipeline.deliveries
        group.get("deliveries") { request, _ in
            let query = request.uri.queryParameters
            let disposition = try query["disposition"].map { text in
                guard let disposition = Disposition(rawValue: String(text)) else {
                    throw APIError.badRequest(
                        "invalid_parameter", "disposition is one of \(Disposition.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: "disposition")
                }
                return disposition
            }
            let limit = try query["limit"].map { text in
                guard let limit = Int(String(text)), (1...1000).contains(limit) else {
                    throw APIError.badRequest("invalid_parameter", "limit is an integer from 1 to 1000", field: "limit")
                }
                return limit
            } ?? 100
            return try JSONResponse.make(Deliveries(
                deliveries: try await deliveries.list(source: query["source"].map(String.init), disposition: disposition, limit: limit)))
        }
        group.get("deliveries/{id}") { _, context in try JSONResponse.make(try await deliveries.find(Self.id(context))) }
        group.post("deliveries/{id}/retry") { _, context in try JSONResponse.make(try await pipeline.retry(Self.id(context))) }
        group.post("deliveries/retry-dead") { _, _ in
            var retried: [IngestAnswer] = []
            for id in try await deliveries.deadLetters() { retried.append(try await pipeline.retry(id)) }
            return try JSONResponse.make(Retried(retried: retried))
        }
    }

    static func name(_ context: LooplineRequestContext) -> String { context.parameters.get("name") ?? "" }

    static func id(_ context: LooplineRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw IngestError(.deliveryNotFound, "a delivery id is a UUID", field: "id")
        }
        return id
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: LooplineRequestContext) async throws -> T {
        let body = try await request.body.collect(upTo: 1 << 16)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            let (_, field) = SocketSession.describe(error)
            throw APIError.badRequest(
                "invalid_body", "the body is not a valid source" + (field.map { ": check \($0)" } ?? ""), field: field)
        }
    }
}
