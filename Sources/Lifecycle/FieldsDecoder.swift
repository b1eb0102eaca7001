import Foundation

/// Builds a command struct from checked fields through its synthesized `init(from:)`, so the struct's stored
/// properties, named as the fields' keys, are the one mapping from fields to Swift values.
struct FieldsDecoder: Decoder {
    let values: FieldValues
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// A spec and a struct that disagree on a key or a type are a programming error, not bad input:
    /// `CommandSpecTests` decodes every command with every field to keep them in step.
    static func decode<Payload: Decodable>(_ type: Payload.Type, _ values: FieldValues) -> Payload {
        do {
            return try Payload(from: FieldsDecoder(values: values))
        } catch {
            preconditionFailure("\(Payload.self) does not match its fields: \(error)")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(FieldsDecodingContainer<Key>(values: values))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "commands are objects"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "commands are objects"))
    }
}

/// The fields by key. Command structs are flat, so nothing nests; optional fields take one lookup, not the
/// default's three.
private struct FieldsDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let values: FieldValues
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { values.commandFields.values.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
    func decodeNil(forKey key: Key) -> Bool { values[key.stringValue] == nil }

    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        guard let value = try decodeIfPresent(type, forKey: key) else { throw missing(key) }
        return value
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        guard let value = try decodeIfPresent(type, forKey: key) else { throw missing(key) }
        return value
    }

    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        guard let value = try decodeIfPresent(type, forKey: key) else { throw missing(key) }
        return value
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = try decodeIfPresent(type, forKey: key) else { throw missing(key) }
        return value
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        switch values[key.stringValue] {
        case nil: return nil
        case .string(let value)?: return value
        case let other?: throw mismatch(type, key, other)
        }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        switch values[key.stringValue] {
        case nil: return nil
        case .integer(let value)?: return value
        case let other?: throw mismatch(type, key, other)
        }
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        switch values[key.stringValue] {
        case nil: return nil
        case .number(let value)?: return value
        case let other?: throw mismatch(type, key, other)
        }
    }

    /// `Date` and `[String]`, the other types `FieldValue` holds.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let field = values[key.stringValue] else { return nil }
        switch field {
        case .date(let value as T), .strings(let value as T): return value
        default: throw mismatch(type, key, field)
        }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { throw notAField(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw notAField(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw notAField(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw notAField(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { throw notAField(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { throw notAField(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw notAField(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw notAField(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw notAField(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw notAField(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { throw notAField(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw notAField(type, key)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw notAField([Any].self, key)
    }

    func superDecoder() throws -> any Decoder { FieldsDecoder(values: values) }
    func superDecoder(forKey key: Key) throws -> any Decoder { FieldsDecoder(values: values) }

    private func missing(_ key: Key) -> DecodingError {
        .keyNotFound(key, .init(codingPath: [], debugDescription: "no value for \(key.stringValue)"))
    }

    private func mismatch(_ type: Any.Type, _ key: Key, _ value: FieldValue) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [key], debugDescription: "\(key.stringValue) is \(value.summary)"))
    }

    private func notAField(_ type: Any.Type, _ key: Key) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [key], debugDescription: "\(type) is not a field type"))
    }
}
