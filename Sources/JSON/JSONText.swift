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
