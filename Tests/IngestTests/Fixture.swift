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

    static func json(_ path: String) throws -> JSONValue { try JSONScanner.value(of: Array(data(path))) }

    static func gitlab(_ name: String, event: String) throws -> DeliveryPayload {
        DeliveryPayload(event: event, body: try json("gitlab/\(name).json"))
    }

    static func jira(_ name: String) throws -> DeliveryPayload {
        let body = try json("jira/\(name).json")
        return DeliveryPayload(event: body["webhookEvent"].string ?? "", body: body)
    }

    static func github(_ name: String, event: String) throws -> DeliveryPayload {
        DeliveryPayload(event: event, body: try JSONScanner.value(of: Array(data("github/\(name).json"))))
    }
}

extension JSONValue {
    /// This object with `key` set to `value`: a fixture changed in one place.
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members[key] = value
        return .object(members)
    }
}
