import Crypto
import Foundation
import JSON

/// One delivery of a request: a webhook is one; a CloudEvents batch is one per event.
struct DeliveryUnit: Sendable {
    /// The tool's id for it, the same when it redelivers.
    var key: String
    var payload: DeliveryPayload
    /// What is kept if it is dead-lettered, for a retry to map again (`storedPayload`).
    var body: Data
}

/// How each kind authenticates a request and splits it into deliveries.
extension SourceKind {
    /// Checks the request's signature or token against the source's secret.
    func authenticate(headers: [String: String], body: Data, secret: String) throws(IngestError) {
        switch self {
        case .github: try GitHubSignature.verify(headers: headers, body: body, secret: secret)
        case .alertmanager, .cloudevents: try BearerSecret.verify(headers: headers, secret: secret)
        }
    }

    /// The deliveries a request holds, each or its error (a batch answers per event); `batch`
    /// says whether the answer is a list.
    func units(headers: [String: String], body: Data, value: JSONValue) throws(IngestError)
        -> (units: [Result<DeliveryUnit, IngestError>], batch: Bool)
    {
        switch self {
        case .github:
            let event = headers["x-github-event"] ?? ""
            let key = headers["x-github-delivery"].flatMap { $0.isEmpty || $0.utf8.count > 200 ? nil : $0 } ?? Self.digest(body)
            return ([.success(DeliveryUnit(key: key, payload: DeliveryPayload(event: event, body: value, headers: headers), body: body))], false)
        case .cloudevents:
            return try CloudEventsRequest.units(headers: headers, value: value)
        case .alertmanager:
            // No delivery id: a resend of the same group is the same bytes.
            let event = value["status"].string ?? ""
            return ([.success(DeliveryUnit(key: Self.digest(body), payload: DeliveryPayload(event: event, body: value, headers: headers), body: body))], false)
        }
    }

    /// A kept dead letter as its mapping reads it.
    func storedPayload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        let value = try IngestPipeline.parse(body)
        switch self {
        case .github: return DeliveryPayload(event: headers["x-github-event"] ?? "", body: value, headers: headers)
        case .cloudevents: return DeliveryPayload(event: value["type"].string ?? "", body: value, headers: headers)
        case .alertmanager: return DeliveryPayload(event: value["status"].string ?? "", body: value, headers: headers)
        }
    }

    /// A key for what has no id of its own: a digest of the bytes, so a resend writes once.
    static func digest(_ body: Data) -> String {
        "sha256:" + Hex.string(SHA256.hash(data: body))
    }
}

/// `Authorization: Bearer <secret>`, compared in constant time.
enum BearerSecret {
    static func verify(headers: [String: String], secret: String) throws(IngestError) {
        guard let header = headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw IngestError(.unauthenticated, "send the source's secret (or an ingest token) as Authorization: Bearer", field: "Authorization")
        }
        let presented = SHA256.hash(data: Data(header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces).utf8))
        let expected = SHA256.hash(data: Data(secret.utf8))
        // Equal-length digests compared byte by byte without an early exit.
        guard zip(presented, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw IngestError(.unauthenticated, "the bearer secret does not match the source's", field: "Authorization")
        }
    }
}

/// The CloudEvents HTTP binding's modes, told apart by Content-Type and `ce-` headers.
enum CloudEventsRequest {
    static let batchType = "application/cloudevents-batch+json"

    static func units(headers: [String: String], value: JSONValue) throws(IngestError) -> (units: [Result<DeliveryUnit, IngestError>], batch: Bool) {
        let media = headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if media == batchType {
            guard case .array(let events) = value else { throw IngestError(.invalidBody, "a batch is a JSON array of CloudEvents") }
            return (events.map { unit($0, headers: headers) }, true)
        }
        if headers["ce-specversion"] != nil {
            return ([unit(CloudEvent.structured(headers: headers, body: value), headers: headers)], false)
        }
        return ([unit(value, headers: headers)], false)
    }

    /// One event, checked; its key is `source` and `id`, which the spec says identify it.
    static func unit(_ structured: JSONValue, headers: [String: String]) -> Result<DeliveryUnit, IngestError> {
        do {
            let event = try CloudEvent(structured: structured)
            let body = Data(JSONText.write(structured).utf8)
            let key = event.source.utf8.count + event.id.utf8.count < 400 ? "\(event.source) \(event.id)" : SourceKind.digest(body)
            return .success(DeliveryUnit(key: key, payload: DeliveryPayload(event: event.type, body: structured, headers: headers), body: body))
        } catch {
            return .failure(error)
        }
    }
}
