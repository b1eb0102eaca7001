import Crypto
public import Foundation
import JSON

/// A webhook request as the route received it; header names lowercased.
public struct IngestRequest: Sendable {
    public var headers: [String: String]
    /// The URL's query items, for tools that can put a secret only there (Jira Server).
    public var query: [String: String]
    public var body: Data

    public init(headers: [String: String], query: [String: String] = [:], body: Data) {
        self.headers = headers
        self.query = query
        self.body = body
    }
}

/// One delivery of a request: a webhook is one; a CloudEvents batch is one per event.
struct DeliveryUnit: Sendable {
    /// The tool's id for it, the same when it redelivers.
    var key: String
    var payload: DeliveryPayload
    /// What is kept if it is dead-lettered, for a retry to map again (`payload(headers:body:)`).
    var body: Data
}

/// One kind of source seen from the wire: how its requests authenticate, what identifies a
/// delivery, what a payload is, and its pure mapping. A new kind is a type conforming to this
/// and a case of `SourceKind`; the pipeline (dedupe, dead letters, retry) is shared.
protocol SourceAdapter {
    /// Checks the request's signature or token against the source's secret.
    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError)
    /// A body (received, or kept with a dead letter) and its headers as the mapping reads them.
    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload
    /// The tool's own id for a delivery, the same on its redeliveries; nil when it sends none.
    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String?
    /// The deliveries a request holds, each or its error (a batch answers per event); `batch`
    /// says whether the answer is a list.
    static func units(_ request: IngestRequest) throws(IngestError) -> (units: [Result<DeliveryUnit, IngestError>], batch: Bool)
    /// The pure mapping of a payload to commands: testable without a database.
    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome
}

extension SourceAdapter {
    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String? { nil }

    /// One delivery, keyed by the caller's `Idempotency-Key`, else the tool's id, else a
    /// digest of the bytes (so a resend of the same bytes writes once).
    static func units(_ request: IngestRequest) throws(IngestError) -> (units: [Result<DeliveryUnit, IngestError>], batch: Bool) {
        var payload = try payload(headers: request.headers, body: request.body)
        let key = [request.headers["idempotency-key"], deliveryId(request.headers, payload)].lazy
            .compactMap { $0 }.first { !$0.isEmpty && $0.utf8.count <= 200 } ?? digest(request.body)
        payload.key = key
        return ([.success(DeliveryUnit(key: key, payload: payload, body: request.body))], false)
    }

    /// A key for what has no id of its own.
    static func digest(_ body: Data) -> String {
        "sha256:" + Hex.string(SHA256.hash(data: body))
    }

    /// The body as JSON, or why not.
    static func json(_ body: Data) throws(IngestError) -> JSONValue {
        do { return try JSONScanner.value(of: Array(body)) } catch {
            throw IngestError(.invalidBody, "the delivery is not valid JSON: \(error)")
        }
    }
}

extension SourceKind {
    /// A dead letter's kept body as its mapping reads it, with the key it was delivered under.
    func storedPayload(headers: [String: String], body: Data, key: String) throws(IngestError) -> DeliveryPayload {
        var payload = try adapter.payload(headers: headers, body: body)
        payload.key = key
        return payload
    }
}
