/// Writes JSON text by hand where a `JSONEncoder` cannot: embedding the log's jsonb payloads
/// verbatim, without decoding and re-encoding them.
public enum JSONText {
    /// A JSON string literal for `text`, quotes included.
    public static func quoted(_ text: String) -> String {
        var result = ""
        appendQuoted(text, to: &result)
        return result
    }

    /// Appends the JSON string literal for `text` to `result`, in place (no temporaries: the
    /// replay writes millions of them).
    public static func appendQuoted(_ text: String, to result: inout String) {
        result.append("\"")
        // Most text needs no escape: one pass over the bytes instead of building scalar by scalar.
        // (0xE2 starts U+2028 and U+2029, which are escaped too.)
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0xE2 }) {
            result.append(text)
            result.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result.append("\"")
    }
}

extension JSONText {
    /// The JSON text of `value`, object keys sorted: the same value always gives the same bytes
    /// (idempotency hashes depend on it).
    public static func write(_ value: JSONValue) -> String {
        var result = ""
        append(value, to: &result)
        return result
    }

    public static func append(_ value: JSONValue, to result: inout String) {
        switch value {
        case .null: result += "null"
        case .bool(let flag): result += flag ? "true" : "false"
        case .integer(let number): result += String(number)
        case .number(let number): result += "\(number)"
        case .string(let text): appendQuoted(text, to: &result)
        case .array(let elements):
            result += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { result += "," }
                append(element, to: &result)
            }
            result += "]"
        case .object(let members):
            result += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { result += "," }
                appendQuoted(key, to: &result)
                result += ":"
                append(members[key]!, to: &result)
            }
            result += "}"
        }
    }
}
