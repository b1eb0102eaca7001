/// Builds a command struct from checked fields through its synthesized `init(from:)`, so the struct's stored
/// properties, named as the fields' keys, are the one mapping from fields to Swift values.
struct FieldsDecoder: Decoder {
    let fields: CommandFields
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// A spec and a struct that disagree on a key or a type are a programming error, not bad input:
    /// `CommandSpecTests` decodes every command with every field to keep them in step.
    static func decode<Payload: Decodable>(_ type: Payload.Type, _ fields: CommandFields) -> Payload {
        do {
            return try Payload(from: FieldsDecoder(fields: fields))
        } catch {
            preconditionFailure("\(Payload.self) does not match its fields: \(error)")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(FieldsDecodingContainer<Key>(fields: fields))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "commands are objects"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "commands are objects"))
    }
}

/// The fields by key. Command structs are flat, so nothing nests.
private struct FieldsDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: CommandFields
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { fields.values.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }
    func decodeNil(forKey key: Key) -> Bool { fields[key.stringValue] == nil }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key) }

    /// The field as the property's type: `Date` and `[String]` included, which `FieldValue` holds as such.
    private func value<T>(_ key: Key) throws -> T {
        guard let field = fields[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no field \(key.stringValue)"))
        }
        guard let value = field.swiftValue as? T else {
            throw DecodingError.typeMismatch(
                T.self, .init(codingPath: [key], debugDescription: "\(key.stringValue) is \(field.summary)"))
        }
        return value
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "fields do not nest"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "fields do not nest"))
    }

    func superDecoder() throws -> any Decoder { FieldsDecoder(fields: fields) }
    func superDecoder(forKey key: Key) throws -> any Decoder { FieldsDecoder(fields: fields) }
}
