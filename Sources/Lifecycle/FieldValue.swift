public import Foundation

/// One field's value, as a command is built from it: a JSON member once its type is read, or what an
/// ingest mapping supplies (`CommandFields`).
public enum FieldValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case date(Date)
    case strings([String])

    /// What the value is, for messages: "a string", "the number 4.5".
    var summary: String {
        switch self {
        case .string: "a string"
        case .integer(let value): "the number \(value)"
        case .number(let value): "the number \(value)"
        case .date: "a date"
        case .strings: "an array of strings"
        }
    }
}

/// Literals, so a field dictionary reads like the JSON it stands for: `["storyId": "PROJ-12", "priority": 2]`.
extension FieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(arrayLiteral elements: String...) { self = .strings(elements) }
}
