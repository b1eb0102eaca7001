/// A JSON value, as `JSONScanner` reads it.
///
/// Commands are read through this rather than straight into their `Codable` structs because
/// `JSONDecoder` reports some wrong types (`4.5` for an integer) without saying which field it
/// was; clients need the field path and a stable code.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number that fits in `Int` exactly (`3` or `3.0`).
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// What the value is, for messages: "a string", "null", "the number 4.5".
    public var summary: String {
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
