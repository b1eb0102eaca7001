import Access
import Foundation
import HTTPTypes
import Hummingbird
import Ingest

/// `POST /v1/ingest/{kind}/{source}`: a tool's webhook, as the tool sends it. The source's
/// signature or token authenticates it (no API token); the answer says what became of it.
struct IngestRoutes: Sendable {
    let pipeline: IngestPipeline
    let tokens: TokenStore
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
        if !(kind.acceptsForms && Self.isForm(request)) { try CommandRoutes.requireJSON(request) }
        let body = try await CommandRoutes.collect(request, upTo: maximumBodyBytes) { limit in
            IngestError(.bodyTooLarge, "a delivery may hold at most \(limit) bytes")
        }
        do {
            let headers = Self.headers(request.headers)
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            let result = try await pipeline.ingest(
                kind: kind, source: context.parameters.get("source") ?? "",
                IngestRequest(headers: headers, query: query, body: Data(body.readableBytesView)),
                preauthenticated: try await hasIngestToken(kind, headers))
            for answer in result.answers {
                metrics.deliveryFinished(kind: kind.rawValue, disposition: answer.disposition.rawValue, duration: .now - started)
            }
            return try JSONResponse.make(result, status: .accepted)
        } catch {
            metrics.deliveryFinished(kind: kind.rawValue, disposition: "refused", duration: .now - started)
            throw error
        }
    }

    /// CloudEvents emitters may send a normal API token with the ingest scope instead of the
    /// source's secret; webhooks that sign their bodies (GitHub) always use the secret.
    func hasIngestToken(_ kind: SourceKind, _ headers: [String: String]) async throws -> Bool {
        guard kind == .cloudevents, let header = headers["authorization"], header.lowercased().hasPrefix("bearer "),
            let principal = try await tokens.verify(String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        else { return false }
        guard principal.allows(.ingest) else { throw APIError.forbidden(.ingest) }
        return true
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
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
