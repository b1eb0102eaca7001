/// Reading into a parsed document without a `Decodable` type per shape: vendors' webhook
/// payloads are large and only a few fields of each matter. Missing members and wrong types
/// read as nil (or `.null`), so a mapping says what it needs and decides what absence means.
extension JSONValue {
    /// The member `key` of an object; `.null` when absent or when this is not an object.
    public subscript(key: String) -> JSONValue {
        guard case .object(let members) = self else { return .null }
        return members[key] ?? .null
    }

    /// The element at `index` of an array; `.null` when out of range or not an array.
    public subscript(index: Int) -> JSONValue {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return .null }
        return elements[index]
    }

    public var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// A string that is not empty.
    public var text: String? {
        guard case .string(let text) = self, !text.isEmpty else { return nil }
        return text
    }

    public var int: Int? {
        guard case .integer(let number) = self else { return nil }
        return number
    }

    public var double: Double? {
        switch self {
        case .integer(let number): Double(number)
        case .number(let number): number
        default: nil
        }
    }

    public var bool: Bool? {
        guard case .bool(let flag) = self else { return nil }
        return flag
    }

    /// The elements of an array; empty when this is not one.
    public var elements: [JSONValue] {
        guard case .array(let elements) = self else { return [] }
        return elements
    }

    public var isNull: Bool { self == .null }
}
