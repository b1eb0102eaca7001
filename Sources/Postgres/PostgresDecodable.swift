public import Foundation

/// A Swift value that can be read from a result column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Decodes a non-NULL value from its text representation (not NUL-terminated).
    init(postgresText text: UnsafeBufferPointer<UInt8>) throws
    /// The value for SQL NULL; throws for non-optional types.
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresError.decoding("unexpected NULL for a non-optional \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        self = try Wrapped(postgresText: text)
    }

    public static func postgresNull() throws -> Self { nil }
}

extension String: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        self = String(decoding: text, as: UTF8.self)
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard let value = PostgresText.parseInteger(text) else {
            throw PostgresError.decoding("not an integer: \(String(decoding: text, as: UTF8.self))")
        }
        self = value
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        self = Int(try Int64(postgresText: text))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        let wide = try Int64(postgresText: text)
        guard let value = Int32(exactly: wide) else { throw PostgresError.decoding("\(wide) does not fit Int32") }
        self = value
    }
}

extension UInt64: PostgresDecodable {
    /// Decodes unsigned 64-bit values such as `xid8`.
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard let value = UInt64(String(decoding: text, as: UTF8.self)) else {
            throw PostgresError.decoding("not an unsigned integer: \(String(decoding: text, as: UTF8.self))")
        }
        self = value
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        let string = String(decoding: text, as: UTF8.self)
        switch string {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(string) else { throw PostgresError.decoding("not a number: \(string)") }
            self = value
        }
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard text.count == 1, text[0] == UInt8(ascii: "t") || text[0] == UInt8(ascii: "f") else {
            throw PostgresError.decoding("not a boolean: \(String(decoding: text, as: UTF8.self))")
        }
        self = text[0] == UInt8(ascii: "t")
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard let value = UUID(text: text) else {
            throw PostgresError.decoding("not a uuid: \(String(decoding: text, as: UTF8.self))")
        }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Decodes `timestamptz` as printed with `DateStyle = ISO` (set on every connection).
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard let value = PostgresTimestamp.parse(text) else {
            throw PostgresError.decoding("not a timestamp: \(String(decoding: text, as: UTF8.self))")
        }
        self = value
    }
}

enum PostgresText {
    /// Parses an optionally signed decimal integer without allocating.
    static func parseInteger(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < text.count else { return nil }
        var value: Int64 = 0
        while index < text.count {
            let digit = text[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return value
    }
}

extension Data: PostgresDecodable {
    /// Decodes `bytea` in hex form (`\x0a1b...`, the default output since PostgreSQL 9.0).
    public init(postgresText text: UnsafeBufferPointer<UInt8>) throws {
        guard text.count >= 2, text.count % 2 == 0, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else {
            throw PostgresError.decoding("not a hex bytea value")
        }
        func nibble(_ character: UInt8) throws -> UInt8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
            default: throw PostgresError.decoding("not a hex bytea value")
            }
        }
        var bytes = Data(capacity: (text.count - 2) / 2)
        var index = 2
        while index < text.count {
            bytes.append(try nibble(text[index]) << 4 | nibble(text[index + 1]))
            index += 2
        }
        self = bytes
    }
}
