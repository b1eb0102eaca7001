import Foundation
import JSON
import Testing

@testable import Ingest

/// A hand-written vendor payload from `Fixtures/`.
enum Fixture {
    static func data(_ path: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil), "fixture \(path)")
        return try Data(contentsOf: url)
    }

    static func cloudEvent(_ name: String) throws -> DeliveryPayload {
        let value = try JSONScanner.value(of: Array(data("cloudevents/\(name).json")))
        return DeliveryPayload(event: value["type"].string ?? "", body: value)
    }

    static func github(_ name: String, event: String) throws -> DeliveryPayload {
        DeliveryPayload(event: event, body: try JSONScanner.value(of: Array(data("github/\(name).json"))))
    }
}
