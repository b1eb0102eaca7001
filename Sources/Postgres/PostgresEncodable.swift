public import Foundation

/// A Swift value that can be sent as a statement parameter.
///
/// Parameters travel in PostgreSQL's text format and the server infers their types from the
/// statement, so SQL is never assembled from input: values only ever reach the server as
/// `$n` parameters.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
    /// Appends `postgresText` to `bytes`; the common types write in place, without a String
    /// per value (bulk writers format millions of them).
    func appendPostgresText(to bytes: inout [UInt8])
}

extension PostgresEncodable {
    public func appendPostgresText(to bytes: inout [UInt8]) { bytes.append(contentsOf: postgresText.utf8) }
}

extension BinaryInteger {
    /// Decimal digits, written in place.
    fileprivate func appendDecimal(to bytes: inout [UInt8]) {
        guard self != 0 else { return bytes.append(UInt8(ascii: "0")) }
        var magnitude = self.magnitude
        if self < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            let (quotient, digit) = magnitude.quotientAndRemainder(dividingBy: 10)
            bytes.append(UInt8(ascii: "0") + UInt8(digit))
            magnitude = quotient
        }
        bytes[start...].reverse()
    }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
    public func appendPostgresText(to bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
    public func appendPostgresText(to bytes: inout [UInt8]) { appendDecimal(to: &bytes) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
    public func appendPostgresText(to bytes: inout [UInt8]) { appendDecimal(to: &bytes) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
    public func appendPostgresText(to bytes: inout [UInt8]) { appendDecimal(to: &bytes) }
}

extension Double: PostgresEncodable {
    public var postgresText: String { "\(self)" }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "t" : "f" }
}

extension UUID: PostgresEncodable {
    public var postgresText: String { lowercasedString }
}

extension Date: PostgresEncodable {
    public var postgresText: String { PostgresTimestamp.format(self) }
    public func appendPostgresText(to bytes: inout [UInt8]) { PostgresTimestamp.append(self, to: &bytes) }
}

/// An array parameter (`text[]`, `uuid[]`, `jsonb[]`, ...: the statement casts it), `nil`
/// elements as NULL.
public struct PostgresTextArray: PostgresEncodable {
    public var elements: [String?]

    public init(_ elements: [String]) { self.elements = elements }
    public init(_ elements: [String?]) { self.elements = elements }

    /// The array literal `{"a","b"}`, every element quoted, `"` and `\` escaped.
    public var postgresText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        appendPostgresText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func appendPostgresText(to bytes: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        bytes.append(UInt8(ascii: "{"))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(quote)
            // Escaping works on bytes: '"' and '\\' never occur inside a multi-byte UTF-8 sequence.
            for byte in element.utf8 {
                if byte == quote || byte == backslash { bytes.append(backslash) }
                bytes.append(byte)
            }
            bytes.append(quote)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}

/// Text already in PostgreSQL's input form, as UTF-8 bytes: a bulk writer's JSON, say, passed
/// on without a String copy.
public struct PostgresTextBytes: PostgresEncodable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var postgresText: String { String(decoding: bytes, as: UTF8.self) }
    public func appendPostgresText(to bytes: inout [UInt8]) { bytes.append(contentsOf: self.bytes) }
}

extension Data: PostgresEncodable {
    /// `bytea` in hex form: `\x0a1b...`.
    public var postgresText: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 2 + count * 2)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        for (index, byte) in enumerated() {
            text[2 + index * 2] = digits[Int(byte >> 4)]
            text[3 + index * 2] = digits[Int(byte & 0x0F)]
        }
        return String(decoding: text, as: UTF8.self)
    }
}
