import Foundation

/// Decodes `Decodable` types straight from what `JSONScanner` read.
///
/// A replay decodes every event of the log, and `JSONDecoder` (with its date closure) was most
/// of a replay's own CPU time; this reads the bytes once, the object as a list of members (no
/// dictionary, no String per key), and hands each field straight to the synthesized
/// `init(from:)`. It throws `DecodingError`s with the field's path, as `JSONDecoder` does, so
/// failures read the same. Dates are ISO 8601 strings (`ISO8601Timestamp`).
public enum JSONObjectDecoder {
    /// Decodes a JSON object that makes up the whole of `bytes`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let members: JSONMembers
        do {
            members = try JSONScanner.members(ofObject: bytes)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not a valid JSON object: \(error)"))
        }
        return try decode(T.self, from: members)
    }

    /// Decodes an object already scanned.
    public static func decode<T: Decodable>(_ type: T.Type, from members: JSONMembers) throws -> T {
        try T(from: JSONValueDecoder(members: .list(members)))
    }
}

/// An object's members: the top-level ones, as scanned in order, or a nested object's.
private enum ObjectMembers {
    case list(JSONMembers)
    case dictionary([String: JSONValue])

    subscript(key: String) -> JSONValue? {
        switch self {
        case .list(let members): members[key]
        case .dictionary(let members): members[key]
        }
    }

    var names: [String] {
        switch self {
        case .list(let members): members.names
        case .dictionary(let members): Array(members.keys)
        }
    }
}

/// A `Decoder` (and single-value container) over one parsed value.
private struct JSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    /// The top-level object, scanned as a member list (`value` is then unused).
    private var members: ObjectMembers?
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: JSONValue, path: [any CodingKey]) {
        self.value = value
        self.codingPath = path
    }

    init(members: ObjectMembers, path: [any CodingKey] = []) {
        self.value = .object([:])
        self.members = members
        self.codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if let members { return KeyedDecodingContainer(JSONObjectContainer<Key>(members: members, codingPath: codingPath)) }
        guard case .object(let members) = value else { throw JSONValueReading.mismatch("an object", value, codingPath) }
        return KeyedDecodingContainer(JSONObjectContainer<Key>(members: .dictionary(members), codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw JSONValueReading.mismatch("an array", value, codingPath) }
        return JSONArrayContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONValueReading.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONValueReading.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONValueReading.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try JSONValueReading.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONValueReading.integer(value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONValueReading.integer(value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONValueReading.value(T.self, value, codingPath) }
}

/// The members of an object, by key.
private struct JSONObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: ObjectMembers
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.names.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    /// The member, or `keyNotFound`; the path is only built when something is wrong.
    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \(key.stringValue)"))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try JSONValueReading.bool(try member(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        // The common case first, without building the key's path.
        if case .string(let text) = try member(key) { return text }
        return try JSONValueReading.string(try member(key), path(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try JSONValueReading.double(try member(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try JSONValueReading.integer(try member(key), path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONValueReading.value(T.self, try member(key), path(key))
    }

    // Optional fields: one lookup instead of the default's three.
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        switch members[key.stringValue] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw JSONValueReading.mismatch("a string", other, path(key))
        }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], value != .null else { return nil }
        return try JSONValueReading.value(T.self, value, path(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(try member(key), path: path(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(try member(key), path: path(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(members: members, path: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(members[key.stringValue] ?? .null, path: path(key))
    }
}

/// The elements of an array, in order.
private struct JSONArrayContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [JSONIndexKey(intValue: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: path, debugDescription: "the array has no more elements"))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try JSONValueReading.value(T.self, value, path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try JSONValueDecoder(value, path: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try JSONValueDecoder(value, path: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return JSONValueDecoder(value, path: path)
    }
}

private struct JSONIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// The conversions from `JSONValue` the containers share, and their errors.
private enum JSONValueReading {
    static func value<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) throws -> T {
        // The types checked first: no dynamic cast needed.
        if T.self == String.self { return unsafeBitCast(try string(value, path), to: T.self) }
        if T.self == Date.self { return unsafeBitCast(try date(value, path), to: T.self) }
        return try T(from: JSONValueDecoder(value, path: path))
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch("a string", value, path) }
        return text
    }

    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch("a boolean", value, path) }
        return flag
    }

    static func double(_ value: JSONValue, _ path: [any CodingKey]) throws -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw mismatch("a number", value, path)
        }
    }

    static func integer<I: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> I {
        guard case .integer(let number) = value, let fitting = I(exactly: number) else {
            throw mismatch("an integer that fits \(I.self)", value, path)
        }
        return fitting
    }

    static func date(_ value: JSONValue, _ path: [any CodingKey]) throws -> Date {
        let text = try string(value, path)
        guard let date = ISO8601Timestamp.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "not an ISO 8601 date-time: \(text)"))
        }
        return date
    }

    static func mismatch(_ expected: String, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(value.summary)")
        return value == .null ? .valueNotFound(JSONValue.self, context) : .typeMismatch(JSONValue.self, context)
    }
}
