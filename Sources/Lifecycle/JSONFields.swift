import Foundation
import JSON

/// The fields of a command body, read one by one with the codes and field paths clients match on.
///
/// Absent and `null` are the same: a required field that is either is `missing_field`; a field of
/// the wrong type is `invalid_field`. Unknown fields are ignored, so clients may send more.
struct JSONFields: Sendable {
    private let object: [String: JSONValue]

    /// Reads a body that must be a JSON object (`invalid_body` otherwise).
    init(body: Data) throws(DomainError) {
        let value: JSONValue
        do {
            value = try JSONScanner.value(of: Array(body))
        } catch {
            if let path = error.valuePath, !path.isEmpty {
                throw .invalidField(path, "\(path) must be a number a 64-bit double holds as itself: \(error.reason)")
            }
            throw DomainError(code: "invalid_body", message: "the body must be a JSON object; it is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw DomainError(code: "invalid_body", message: "the body must be a JSON object, not \(value.summary)")
        }
        self.object = object
    }

    func string(_ key: String) throws(DomainError) -> String {
        try required(key, optionalString(key))
    }

    func optionalString(_ key: String) throws(DomainError) -> String? {
        switch object[key] ?? .null {
        case .null: return nil
        case .string(let value): return try storable(value, key)
        case let other: throw .invalidField(key, "\(key) must be a string, not \(other.summary)")
        }
    }

    func int(_ key: String) throws(DomainError) -> Int {
        try required(key, optionalInt(key))
    }

    func optionalInt(_ key: String) throws(DomainError) -> Int? {
        switch object[key] ?? .null {
        case .null: return nil
        case .integer(let value): return value
        case let other: throw .invalidField(key, "\(key) must be an integer, not \(other.summary)")
        }
    }

    func number(_ key: String) throws(DomainError) -> Double {
        try required(key, optionalNumber(key))
    }

    func optionalNumber(_ key: String) throws(DomainError) -> Double? {
        switch object[key] ?? .null {
        case .null: return nil
        case .integer(let value): return Double(value)
        case .number(let value): return value
        case let other: throw .invalidField(key, "\(key) must be a number, not \(other.summary)")
        }
    }

    func optionalDate(_ key: String) throws(DomainError) -> Date? {
        guard let text = try optionalString(key) else { return nil }
        guard let date = ISO8601Timestamp.parse(text) else {
            throw .invalidField(
                key,
                "\(key) must be an ISO 8601 date-time with a time zone, such as 2025-03-01T12:00:00Z, "
                    + "not \(FieldRules.quoted(text))")
        }
        return date
    }

    /// An optional array of strings; a bad element is reported by its path, e.g. `storyIds[2]`.
    func optionalStrings(_ key: String) throws(DomainError) -> [String]? {
        switch object[key] ?? .null {
        case .null:
            return nil
        case .array(let elements):
            return try elements.enumerated().map { (index, element) throws(DomainError) in
                guard case .string(let value) = element else {
                    throw .invalidField("\(key)[\(index)]", "\(key)[\(index)] must be a string, not \(element.summary)")
                }
                return try storable(value, "\(key)[\(index)]")
            }
        case let other:
            throw .invalidField(key, "\(key) must be an array of strings, not \(other.summary)")
        }
    }

    /// A string the log can hold: jsonb has no U+0000 (see `JSONLimits`).
    private func storable(_ value: String, _ key: String) throws(DomainError) -> String {
        if value.utf8.contains(0) { throw .invalidField(key, "\(key) must not contain the NUL character (\\u0000)") }
        return value
    }

    private func required<Value>(_ key: String, _ value: Value?) throws(DomainError) -> Value {
        guard let value else { throw .missingField(key) }
        return value
    }
}
