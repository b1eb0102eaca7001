import Foundation

/// The fields of a command struct, through its synthesized `encode(to:)`: how a command built in Swift is put
/// through the same rules as one decoded from JSON (`CommandSpec.validated`).
struct FieldsEncoder: Encoder {
    /// Shared by the containers the struct asks for.
    final class Storage {
        var values: FieldValues

        init(keys: [String]) {
            values = FieldValues(keys: keys)
        }
    }

    let storage: Storage
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Command structs hold only their spec's fields, of the types `FieldValue` holds, so encoding cannot fail;
    /// if it does, a struct gained a property its spec lacks, which `CommandSpecTests` would have caught.
    static func encode(_ payload: some Encodable, _ keys: [String]) -> FieldValues {
        let encoder = FieldsEncoder(storage: Storage(keys: keys))
        do {
            try payload.encode(to: encoder)
        } catch {
            preconditionFailure("\(type(of: payload)) does not match its fields: \(error)")
        }
        return encoder.storage.values
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(FieldsEncodingContainer<Key>(storage: storage))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("command structs are objects")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        preconditionFailure("command structs are objects")
    }
}

/// Writes each property as the field of the same name; absent optionals are left out.
private struct FieldsEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: FieldsEncoder.Storage
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) {}
    mutating func encode(_ value: String, forKey key: Key) throws { try set(.string(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try set(.integer(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try set(.number(value), key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { throw notAField(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { throw notAField(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        switch value {
        case let date as Date: try set(.date(date), key)
        case let strings as [String]: try set(.strings(strings), key)
        default: throw notAField(value, key)
        }
    }

    private func set(_ value: FieldValue, _ key: Key) throws {
        guard let index = storage.values.index(of: key.stringValue) else { throw notAField(value, key) }
        storage.values.values[index] = value
    }

    private func notAField(_ value: Any, _ key: Key) -> EncodingError {
        .invalidValue(value, .init(codingPath: [key], debugDescription: "\(key.stringValue) is not a field"))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        preconditionFailure("fields do not nest")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        preconditionFailure("fields do not nest")
    }

    mutating func superEncoder() -> any Encoder { preconditionFailure("fields do not nest") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { preconditionFailure("fields do not nest") }
}
