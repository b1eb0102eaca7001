import Foundation
import JSON

/// Small builders for mapped command fields: absent values become `.null`, which
/// `MappedCommand` leaves out, so a mapping can list every field it might fill.
enum MappingFields {
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Text cut to `limit` characters: a vendor's free text (a 20,000-character commit message)
    /// should not make a fact unrecordable.
    static func clipped(_ value: String?, _ limit: Int = 10_000) -> JSONValue {
        guard let value, !value.isEmpty else { return .null }
        return .string(value.count > limit ? String(value.prefix(limit)) : value)
    }

    static func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }

    static func integer(_ value: Int?) -> JSONValue { value.map(JSONValue.integer) ?? .null }

    /// Seconds from `start` to `end` (ISO 8601 date-times), when both parse and it is not negative.
    static func seconds(from start: String?, to end: String?) -> Double? {
        guard let start = start.flatMap(ISO8601Timestamp.parse), let end = end.flatMap(ISO8601Timestamp.parse) else {
            return nil
        }
        let seconds = end.timeIntervalSince(start)
        return seconds >= 0 ? (seconds * 1000).rounded() / 1000 : nil
    }

    /// The service and team fields of a target.
    static func target(_ target: SourceSettings.Target) -> [String: JSONValue] {
        ["service": .string(target.service), "team": text(target.team)]
    }
}
