import Foundation

/// A JSON value as read from a command body.
///
/// Commands are read through this rather than straight into their `Codable` structs because
/// `JSONDecoder` reports some wrong types (`4.5` for an integer) without saying which field it was;
/// clients need the field path and a stable code.
enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    /// A number that fits in `Int` exactly (`3` or `3.0`).
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// What the value is, for messages: "a string", "null", "the number 4.5".
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "the number \(value)"
        case .number(let value): "the number \(value)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
