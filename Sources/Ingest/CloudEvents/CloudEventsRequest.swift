import Foundation
import JSON

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
            let key = event.source.utf8.count + event.id.utf8.count < 400 ? "\(event.source) \(event.id)" : CloudEventsMapping.digest(body)
            return .success(DeliveryUnit(key: key, payload: DeliveryPayload(event: event.type, body: structured, headers: headers, key: key), body: body))
        } catch {
            return .failure(error)
        }
    }
}
