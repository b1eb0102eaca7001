/// A strict RFC 8259 syntax check for event data and metadata, run before anything reaches
/// PostgreSQL so that a bad payload gets an error naming its field and writes nothing.
///
/// Beyond RFC 8259 it refuses what jsonb refuses (`\u0000`, unpaired surrogates) and
/// nesting deeper than `maximumDepth`.
public enum JSONValidator {
    public static let maximumDepth = 64

    /// Throws `invalidJSON` for `field` unless `text` is exactly one JSON object.
    public static func validateObject(_ text: String, field: String) throws(EventStoreError) {
        _ = try members(ofObject: text, field: field)
    }

    /// Validates like `validateObject`, and returns the UTF-8 byte range of each top-level
    /// member's value by key, so a caller can pass one member on as raw JSON without
    /// decoding and encoding it again. (Keys with escapes are returned as written.)
    public static func members(ofObject text: String, field: String) throws(EventStoreError) -> [String: Range<Int>] {
        var copy = text
        let (problem, members): (String?, [String: Range<Int>]) = copy.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            let problem = scanner.scanDocument()
            return (problem, scanner.members)
        }
        if let problem {
            throw EventStoreError(.invalidJSON, "\(field) is not a valid JSON object: \(problem)", field: field)
        }
        return members
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var members: [String: Range<Int>] = [:]

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func scanDocument() -> String? {
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else { return "expected an object at byte \(index)" }
            if let problem = scanValue(depth: 1) { return problem }
            skipWhitespace()
            return index == bytes.count ? nil : "unexpected text after the object at byte \(index)"
        }

        private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        private mutating func expect(_ byte: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: byte) else { return false }
            index += 1
            return true
        }

        private mutating func scanValue(depth: Int) -> String? {
            guard depth <= JSONValidator.maximumDepth else { return "nested deeper than \(JSONValidator.maximumDepth) levels" }
            skipWhitespace()
            guard let byte = peek() else { return "unexpected end of input" }
            switch byte {
            case UInt8(ascii: "{"): return scanContainer(close: "}", depth: depth, keyed: true)
            case UInt8(ascii: "["): return scanContainer(close: "]", depth: depth, keyed: false)
            case UInt8(ascii: "\""): return scanString()
            case UInt8(ascii: "t"): return scanLiteral("true")
            case UInt8(ascii: "f"): return scanLiteral("false")
            case UInt8(ascii: "n"): return scanLiteral("null")
            default: return scanNumber()
            }
        }

        private mutating func scanContainer(close: Unicode.Scalar, depth: Int, keyed: Bool) -> String? {
            index += 1
            skipWhitespace()
            if expect(close) { return nil }
            while true {
                var key: String?
                if keyed {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "\"") else { return "expected a quoted key at byte \(index)" }
                    let keyStart = index + 1
                    if let problem = scanString() { return problem }
                    if depth == 1 { key = String(decoding: bytes[keyStart..<(index - 1)], as: UTF8.self) }
                    skipWhitespace()
                    guard expect(":") else { return "expected ':' at byte \(index)" }
                    skipWhitespace()
                }
                let valueStart = index
                if let problem = scanValue(depth: depth + 1) { return problem }
                if let key { members[key] = valueStart..<index }
                skipWhitespace()
                if expect(",") { continue }
                if expect(close) { return nil }
                return "expected ',' or '\(close)' at byte \(index)"
            }
        }

        private mutating func scanLiteral(_ literal: StaticString) -> String? {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return "unexpected end of input" }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
                return "invalid literal at byte \(index)"
            }
            index += count
            return nil
        }

        private mutating func scanNumber() -> String? {
            let start = index
            _ = expect("-")
            guard let first = peek(), isDigit(first) else { return "invalid value at byte \(start)" }
            if first == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
            if expect(".") {
                guard let byte = peek(), isDigit(byte) else { return "invalid number at byte \(start)" }
                skipDigits()
            }
            if expect("e") || expect("E") {
                if !expect("+") { _ = expect("-") }
                guard let byte = peek(), isDigit(byte) else { return "invalid number at byte \(start)" }
                skipDigits()
            }
            return nil
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        private mutating func skipDigits() {
            while let byte = peek(), isDigit(byte) { index += 1 }
        }

        private mutating func scanString() -> String? {
            let start = index
            index += 1
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return nil
                case UInt8(ascii: "\\"):
                    if let problem = scanEscape() { return problem }
                case 0x00..<0x20: return "unescaped control character in a string at byte \(index - 1)"
                default: continue
                }
            }
            return "unterminated string starting at byte \(start)"
        }

        private mutating func scanEscape() -> String? {
            guard let byte = peek() else { return "unexpected end of input" }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                return nil
            case UInt8(ascii: "u"):
                guard let unit = scanHex4() else { return "invalid \\u escape at byte \(index)" }
                if unit == 0 { return "\\u0000 is not allowed" }
                if (0xDC00...0xDFFF).contains(unit) { return "unpaired surrogate escape at byte \(index)" }
                if (0xD800...0xDBFF).contains(unit) {
                    guard expect("\\"), expect("u"), let low = scanHex4(), (0xDC00...0xDFFF).contains(low) else {
                        return "unpaired surrogate escape at byte \(index)"
                    }
                }
                return nil
            default:
                return "invalid escape at byte \(index - 1)"
            }
        }

        private mutating func scanHex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }
    }
}
