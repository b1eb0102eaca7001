import Foundation

/// A strict RFC 8259 parser straight into `JSONValue`, for command bodies.
///
/// `JSONDecoder` into an enum tries each case in turn and pays for every failed try; this
/// reads the bytes once (about five times faster on command bodies). It refuses invalid
/// UTF-8, lone surrogates, and nesting deeper than `maximumDepth`.
struct JSONParser {
    static let maximumDepth = 64

    struct Failure: Error {}

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one JSON value that makes up the whole of `data`.
    static func parse(_ data: Data) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: Array(data))
        parser.skipWhitespace()
        let value = try parser.value(depth: 1)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw Failure() }
        return value
    }

    /// Parses a JSON object that makes up the whole of `bytes` into its members in order,
    /// without a dictionary or a String per key (`EventDataDecoder` reads each key once).
    static func parseMembers(_ bytes: [UInt8]) throws(Failure) -> JSONMembers {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        guard parser.consume(UInt8(ascii: "{")) else { throw Failure() }
        var members = JSONMembers(bytes: bytes)
        parser.skipWhitespace()
        if !parser.consume(UInt8(ascii: "}")) {
            while true {
                parser.skipWhitespace()
                guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "\"") else { throw Failure() }
                let key = try parser.key()
                parser.skipWhitespace()
                guard parser.consume(UInt8(ascii: ":")) else { throw Failure() }
                parser.skipWhitespace()
                let value = try parser.value(depth: 2)
                members.append(key, value)
                parser.skipWhitespace()
                if parser.consume(UInt8(ascii: ",")) { continue }
                guard parser.consume(UInt8(ascii: "}")) else { throw Failure() }
                break
            }
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Failure() }
        return members
    }

    /// A member's key: the range of its bytes when it is plain ASCII without escapes (no
    /// String made), else its decoded (and validated) text.
    private mutating func key() throws(Failure) -> JSONMembers.Key {
        let start = index + 1
        var end = start
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "\""):
                index = end + 1
                return .raw(start..<end)
            case UInt8(ascii: "\\"), 0x80...:
                return .decoded(try string())
            case 0x00..<0x20:
                throw Failure()
            default:
                end += 1
            }
        }
        throw Failure()
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth, index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw Failure() }
            skipWhitespace()
            members[key] = try value(depth: depth + 1)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "}")) else { throw Failure() }
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { throw Failure() }
            return .array(elements)
        }
    }

    /// A string; the common case, no escapes, is one validated copy of the bytes.
    private mutating func string() throws(Failure) -> String {
        index += 1
        let start = index
        var unescaped: [UInt8]?
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                let text: String?
                if var unescaped {
                    unescaped.append(contentsOf: bytes[runStart..<end])
                    text = String(validating: unescaped, as: UTF8.self)
                } else {
                    // Through a buffer pointer: the fast, specialised validation path.
                    text = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
                }
                guard let text else { throw Failure() }
                return text
            case UInt8(ascii: "\\"):
                var buffer = unescaped ?? []
                buffer.append(contentsOf: bytes[runStart..<index])
                index += 1
                buffer.append(contentsOf: String(Character(try escape())).utf8)
                unescaped = buffer
                runStart = index
            case 0x00..<0x20:
                throw Failure()
            default:
                index += 1
            }
        }
        throw Failure()
    }

    private mutating func escape() throws(Failure) -> Unicode.Scalar {
        guard index < bytes.count else { throw Failure() }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw Failure() }
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw Failure() }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(unit) else { throw Failure() }
            return scalar
        default:
            throw Failure()
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number; integral values that fit `Int` are `.integer` (so `3.0` is too).
    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard index < bytes.count, isDigit(bytes[index]) else { throw Failure() }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if integral, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else { throw Failure() }
        if value.rounded() == value, let exact = Int(exactly: value) { return .integer(exact) }
        return .number(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ text: StaticString) throws(Failure) {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Failure() }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { throw Failure() }
        index += count
    }
}

/// An object's members in order, as `JSONParser.parseMembers` reads them: keys found by
/// comparing bytes, the last of duplicates winning (as in a dictionary).
struct JSONMembers {
    enum Key {
        /// The key's bytes in `bytes` (it had no escapes).
        case raw(Range<Int>)
        case decoded(String)
    }

    let bytes: [UInt8]
    private(set) var keys: [Key] = []
    private(set) var values: [JSONValue] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // Events have a dozen members at most: one allocation each instead of one per doubling.
        keys.reserveCapacity(16)
        values.reserveCapacity(16)
    }

    mutating func append(_ key: Key, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    /// The value of `key`, or nil when it is absent.
    subscript(key: String) -> JSONValue? {
        var key = key
        let found = key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all -> Int? in
                for index in keys.indices.reversed() {
                    switch keys[index] {
                    case .raw(let range):
                        if range.count == wanted.count
                            && (wanted.isEmpty || memcmp(all.baseAddress! + range.lowerBound, wanted.baseAddress!, wanted.count) == 0)
                        {
                            return index
                        }
                    case .decoded(let text):
                        if text.utf8.elementsEqual(wanted) { return index }
                    }
                }
                return nil
            }
        }
        return found.map { values[$0] }
    }

    /// Every key, as text.
    var names: [String] {
        keys.map { key in
            switch key {
            case .raw(let range): String(decoding: bytes[range], as: UTF8.self)
            case .decoded(let text): text
            }
        }
    }
}
