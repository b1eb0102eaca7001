import Foundation
import HTTPTypes
import Hummingbird
import Ingest

/// `POST /v1/ingest/{kind}/{source}`: a tool's webhook, as the tool sends it. The source's
/// signature or token authenticates it (no API token); the answer says what became of it.
struct IngestRoutes: Sendable {
    let pipeline: IngestPipeline
    let maximumBodyBytes: Int
    let metrics: ServerMetrics

    func addRoutes(to group: RouterGroup<LooplineRequestContext>) {
        group.post("ingest/{kind}/{source}") { request, context in try await handle(request, context) }
    }

    func handle(_ request: Request, _ context: LooplineRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        guard let kind = SourceKind(rawValue: context.parameters.get("kind") ?? "") else {
            throw APIError(
                status: .notFound, code: "unknown_source_kind",
                message: "sources are of kind \(SourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try CommandRoutes.requireJSON(request)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
            throw IngestError(.bodyTooLarge, "a delivery may hold at most \(maximumBodyBytes) bytes")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maximumBodyBytes) } catch {
            throw IngestError(.bodyTooLarge, "a delivery may hold at most \(maximumBodyBytes) bytes")
        }
        do {
            let answer = try await pipeline.ingest(
                kind: kind, source: context.parameters.get("source") ?? "", headers: Self.headers(request.headers),
                body: Data(body.readableBytesView))
            metrics.deliveryFinished(kind: kind.rawValue, disposition: answer.disposition.rawValue, duration: .now - started)
            return try JSONResponse.make(answer, status: .accepted)
        } catch {
            metrics.deliveryFinished(kind: kind.rawValue, disposition: "refused", duration: .now - started)
            throw error
        }
    }

    /// Header names lowercased; a header sent twice is joined with commas, as HTTP allows.
    static func headers(_ fields: HTTPFields) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        return headers
    }
}
