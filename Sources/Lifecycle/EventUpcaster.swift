import Foundation

/// One step that rewrites an event's stored data from one schema version to the next, on read.
///
/// The log is never rewritten: an old event is upcast every time it is read, step by step, until it
/// reaches the version this build writes. Adding a version is one function and one line in `all`.
struct EventUpcaster: Sendable {
    /// The event type the step applies to.
    let type: String
    /// The version it reads; it produces `fromVersion + 1`.
    let fromVersion: Int
    /// Rewrites the data object in place; throws for data it cannot read.
    let step: @Sendable (inout [String: Any]) throws(DomainError) -> Void

    /// Every step.
    static let all: [EventUpcaster] = [
        EventUpcaster(type: "BuildPassed", fromVersion: 1, step: durationInSeconds),
        EventUpcaster(type: "BuildFailed", fromVersion: 1, step: durationInSeconds),
    ]

    private static let byTypeAndVersion: [String: EventUpcaster] = Dictionary(
        uniqueKeysWithValues: all.map { ("\($0.type)@\($0.fromVersion)", $0) })

    /// The data of `type` at `version`, upcast to the version this build writes; unchanged when it is current.
    static func upcast(type: String, data: Data, from version: Int) throws(DomainError) -> Data {
        let current = DomainEvent.schemaVersions[type] ?? 1
        guard version != current else { return data }
        guard version >= 1, version < current else {
            throw undecodable(type, version, "this build reads \(type) up to v\(current)")
        }
        var object = try jsonObject(data, type, version)
        for from in version..<current {
            guard let upcaster = byTypeAndVersion["\(type)@\(from)"] else {
                throw undecodable(type, version, "no upcaster from v\(from)")
            }
            try upcaster.step(&object)
        }
        do {
            return try JSONSerialization.data(withJSONObject: object)
        } catch {
            throw undecodable(type, version, "the upcast data is not JSON")
        }
    }

    /// BuildPassed/BuildFailed v1 → v2: `durationMs` (integer milliseconds) became `durationSeconds`.
    static func durationInSeconds(_ data: inout [String: Any]) throws(DomainError) {
        guard let milliseconds = data.removeValue(forKey: "durationMs"), !(milliseconds is NSNull) else { return }
        guard let number = milliseconds as? NSNumber else {
            throw DomainError(code: "undecodable_event", message: "durationMs must be a number of milliseconds")
        }
        data["durationSeconds"] = number.doubleValue / 1000
    }

    private static func jsonObject(_ data: Data, _ type: String, _ version: Int) throws(DomainError) -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw undecodable(type, version, "the data is not a JSON object")
        }
        return object
    }

    private static func undecodable(_ type: String, _ version: Int, _ reason: String) -> DomainError {
        DomainError(code: "undecodable_event", message: "cannot read \(type) v\(version): \(reason)")
    }
}
