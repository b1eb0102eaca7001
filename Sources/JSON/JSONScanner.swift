/// The one JSON reader: a strict RFC 8259 scanner over UTF-8 bytes, held to `JSONLimits`.
///
/// It either builds values (`JSONValue`, or an object's `JSONMembers` for the event decoder) or
/// only checks syntax (text bound for the log, and socket lines whose members are passed on as
/// the bytes they arrived as). `JSONDecoder` into an enum tries each case in turn and pays for
/// every failed try; this reads the bytes once.
public struct JSONScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Text bound for the log: jsonb cannot hold `\u0000`, and every reader of the log parses its
    /// numbers, so a NUL or a number no double holds is refused even where nothing is built.
    private let boundForTheLog: Bool
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>, boundForTheLog: Bool) {
        self.bytes = bytes
        self.boundForTheLog = boundForTheLog
    }

    // MARK: - Documents

    /// Parses the one JSON value that makes up the whole of `bytes` (any UTF-8 is checked).
    public static func value(of bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer, boundForTheLog: false)
            scanner.skipWhitespace()
            let value = try scanner.value(depth: 1)
            try scanner.expectEnd()
            return value
        }
    }

    /// Parses an object that makes up the whole of `bytes` into its members in order, without
    /// a dictionary or a String per plain key; each member's value bytes are kept as a range.
    /// The values of `passedOn` keys are only checked for syntax (their strings' UTF-8 is the
    /// reader's to check) and read as `.null`: a caller that hands them on as bytes need not
    /// build them.
    public static func members(ofObject bytes: [UInt8], passedOn: Set<String> = []) throws(JSONSyntaxError) -> JSONMembers {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer, boundForTheLog: false)
            var members = JSONMembers(bytes: bytes)
            try scanner.object(depth: 1) { scanner, key, depth throws(JSONSyntaxError) in
                let start = scanner.index
                if !passedOn.isEmpty, passedOn.contains(key.text(in: scanner.bytes)) {
                    try scanner.skipValue(depth: depth)
                    members.append(key, .null, start..<scanner.index)
                    return
                }
                let value = try scanner.value(depth: depth)
                members.append(key, value, start..<scanner.index)
            }
            try scanner.expectEnd()
            return members
        }
    }

    /// Checks that `bytes` is exactly one JSON array and returns the byte range of each element,
    /// so a caller can read each one on its own (a batch of commands).
    public static func elements(ofArray bytes: [UInt8]) throws(JSONSyntaxError) -> [Range<Int>] {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer, boundForTheLog: false)
            var ranges: [Range<Int>] = []
            scanner.skipWhitespace()
            guard scanner.index < buffer.count, buffer[scanner.index] == UInt8(ascii: "[") else { throw scanner.fail("expected an array") }
            try scanner.array(depth: 1) { scanner, depth throws(JSONSyntaxError) in
                let start = scanner.index
                try scanner.skipValue(depth: depth)
                ranges.append(start..<scanner.index)
            }
            try scanner.expectEnd()
            return ranges
        }
    }

    /// Checks that `text` is exactly one JSON object that jsonb can store (no `\u0000`) and every
    /// reader can read back (no number a double cannot hold), and
    /// returns the UTF-8 byte range of each top-level member's value by key, so a caller can
    /// pass a member on as raw JSON without decoding and encoding it again.
    @discardableResult
    public static func validateObject(_ text: String) throws(JSONSyntaxError) -> [String: Range<Int>] {
        var text = text
        // A Swift String is valid UTF-8 already: checking syntax is enough. (`withUTF8`
        // rethrows untyped, hence the `Result`.)
        return try text.withUTF8 { buffer in
            Result { () throws(JSONSyntaxError) in
                var scanner = JSONScanner(buffer, boundForTheLog: true)
                var ranges: [String: Range<Int>] = [:]
                try scanner.object(depth: 1) { scanner, key, depth throws(JSONSyntaxError) in
                    let start = scanner.index
                    try scanner.skipValue(depth: depth)
                    ranges[key.text(in: scanner.bytes)] = start..<scanner.index
                }
                try scanner.expectEnd()
                return ranges
            }
        }.get()
    }

    // MARK: - Values

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        switch try peekValue(depth: depth) {
        case UInt8(ascii: "{"):
            var members: [String: JSONValue] = [:]
            try object(depth: depth) { scanner, key, depth throws(JSONSyntaxError) in
                members[key.text(in: scanner.bytes)] = try scanner.value(depth: depth)
            }
            return .object(members)
        case UInt8(ascii: "["):
            var elements: [JSONValue] = []
            try array(depth: depth) { scanner, depth throws(JSONSyntaxError) in elements.append(try scanner.value(depth: depth)) }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    /// The same walk as `value`, building nothing.
    private mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        switch try peekValue(depth: depth) {
        case UInt8(ascii: "{"): try object(depth: depth) { scanner, _, depth throws(JSONSyntaxError) in try scanner.skipValue(depth: depth) }
        case UInt8(ascii: "["): try array(depth: depth) { scanner, depth throws(JSONSyntaxError) in try scanner.skipValue(depth: depth) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: if boundForTheLog { _ = try number() } else { _ = try numberText() }
        }
    }

    /// The first byte of the value at the cursor, after the depth check.
    private mutating func peekValue(depth: Int) throws(JSONSyntaxError) -> UInt8 {
        guard depth <= JSONLimits.maximumDepth else { throw fail("nested deeper than \(JSONLimits.maximumDepth) levels") }
        guard index < bytes.count else { throw fail("unexpected end of input") }
        return bytes[index]
    }

    /// Walks an object at the cursor, handing each member's key to `member` with the cursor on
    /// its value.
    private mutating func object(
        depth: Int, _ member: (inout JSONScanner, JSONMembers.Key, Int) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        skipWhitespace()
        guard consume(UInt8(ascii: "{")) else { throw fail("expected an object") }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let key = try self.key()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw fail("expected ':'") }
            skipWhitespace()
            do { try member(&self, key, depth + 1) } catch { throw error.inMember(key.text(in: bytes)) }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "}")) else { throw fail("expected ',' or '}'") }
            return
        }
    }

    private mutating func array(
        depth: Int, _ element: (inout JSONScanner, Int) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        index += 1
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        var position = 0
        while true {
            skipWhitespace()
            do { try element(&self, depth + 1) } catch { throw error.inElement(position) }
            position += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            guard consume(UInt8(ascii: "]")) else { throw fail("expected ',' or ']'") }
            return
        }
    }

    // MARK: - Strings

    /// A key: the range of its bytes when it is plain ASCII without escapes (no String made),
    /// else its decoded text.
    private mutating func key() throws(JSONSyntaxError) -> JSONMembers.Key {
        var end = index + 1
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "\""):
                defer { index = end + 1 }
                return .raw(index + 1..<end)
            case UInt8(ascii: "\\"), 0x80...:
                return .decoded(try string())
            case 0x00..<0x20:
                index = end
                throw fail("unescaped control character in a string")
            default:
                end += 1
            }
        }
        throw fail("unterminated string")
    }

    /// A string; the common case, no escapes, is one validated copy of the bytes.
    private mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var unescaped: [UInt8]?
        var runStart = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
                index += 1
                let text: String?
                if var unescaped {
                    unescaped.append(contentsOf: run)
                    text = String(validating: unescaped, as: UTF8.self)
                } else {
                    text = String(validating: run, as: UTF8.self)
                }
                guard let text else { throw fail("invalid UTF-8 in a string") }
                return text
            case UInt8(ascii: "\\"):
                var buffer = unescaped ?? []
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                buffer.append(contentsOf: String(Character(try escape())).utf8)
                unescaped = buffer
                runStart = index
            case 0x00..<0x20:
                throw fail("unescaped control character in a string")
            default:
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    /// Checks a string without making it (its UTF-8 is the caller's to guarantee).
    private mutating func skipString() throws(JSONSyntaxError) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"): _ = try escape()
            case 0x00..<0x20:
                index -= 1
                throw fail("unescaped control character in a string")
            default: continue
            }
        }
        throw fail("unterminated string")
    }

    private mutating func escape() throws(JSONSyntaxError) -> Unicode.Scalar {
        guard index < bytes.count else { throw fail("unexpected end of input") }
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
        case UInt8(ascii: "u"): return try unicodeEscape()
        default: throw fail("invalid escape")
        }
    }

    /// `\uXXXX`, or a surrogate pair of them.
    private mutating func unicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let unit = try hex4()
        if unit == 0 && boundForTheLog { throw fail("\\u0000 is not allowed") }
        if (0xD800...0xDBFF).contains(unit) {
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw fail("unpaired surrogate escape") }
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate escape") }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(unit) else { throw fail("unpaired surrogate escape") }
        return scalar
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    // MARK: - Numbers and literals

    /// A number; integral values that fit `Int` are `.integer` (so `3.0` is too).
    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        let integral = try numberText()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else { throw .outOfRange(text, "is too large for a double", at: start) }
        if value == 0, !Self.isZero(mantissaOf: bytes[start..<index]) {
            throw .outOfRange(text, "is too small for a double: it would be stored as 0", at: start)
        }
        if value.rounded() == value, let exact = Int(exactly: value) { return .integer(exact) }
        return .number(value)
    }

    /// Whether every digit before the exponent is 0: `0.000e5` is zero, `1e-400` is not.
    private static func isZero(mantissaOf text: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        for byte in text {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return false }
        }
        return true
    }

    /// Moves past a number's text; whether it had neither fraction nor exponent.
    private mutating func numberText() throws(JSONSyntaxError) -> Bool {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw JSONSyntaxError("invalid value", at: start) }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONSyntaxError("invalid number", at: start) }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard index < bytes.count, isDigit(bytes[index]) else { throw JSONSyntaxError("invalid number", at: start) }
            skipDigits()
        }
        return integral
    }

    private mutating func literal(_ text: StaticString) throws(JSONSyntaxError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { throw fail("invalid literal") }
        index += count
    }

    // MARK: - Bytes

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

    private mutating func expectEnd() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the value") }
    }

    private func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(reason, at: index) }
}
