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

    static func github(_ name: String, event: String) throws -> DeliveryPayload {
        DeliveryPayload(event: event, body: try JSONScanner.value(of: Array(data("github/\(name).json"))))
    }
}
