import Foundation

/// A command's fields by key: what a command is built from when it does not arrive as a JSON body (an
/// ingest mapping), and what `CommandSpec` checks and builds the command struct from.
///
/// A key that is absent is an absent field; there is no null. A value of the wrong type is refused with
/// `invalid_field`, as in a JSON body.
public struct CommandFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var values: [String: FieldValue]

    public init(_ values: [String: FieldValue] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, FieldValue)...) {
        self.values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(key: String) -> FieldValue? {
        get { values[key] }
        set { values[key] = newValue }
    }
}

extension CommandFields: FieldSource {
    func optionalString(_ key: String) throws(DomainError) -> String? {
        switch values[key] {
        case nil: return nil
        case .string(let value)?: return value
        case let other?: throw Self.mismatch(key, "a string", other)
        }
    }

    func optionalInt(_ key: String) throws(DomainError) -> Int? {
        switch values[key] {
        case nil: return nil
        case .integer(let value)?: return value
        case let other?: throw Self.mismatch(key, "an integer", other)
        }
    }

    func optionalNumber(_ key: String) throws(DomainError) -> Double? {
        switch values[key] {
        case nil: return nil
        case .integer(let value)?: return Double(value)
        case .number(let value)?: return value
        case let other?: throw Self.mismatch(key, "a number", other)
        }
    }

    func optionalDate(_ key: String) throws(DomainError) -> Date? {
        switch values[key] {
        case nil: return nil
        case .date(let value)?: return value
        case let other?: throw Self.mismatch(key, "a date", other)
        }
    }

    func optionalStrings(_ key: String) throws(DomainError) -> [String]? {
        switch values[key] {
        case nil: return nil
        case .strings(let value)?: return value
        case let other?: throw Self.mismatch(key, "an array of strings", other)
        }
    }

    private static func mismatch(_ key: String, _ expected: String, _ value: FieldValue) -> DomainError {
        .invalidField(key, "\(key) must be \(expected), not \(value.summary)")
    }
}
