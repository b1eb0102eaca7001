import Postgres

/// Values in the text forms PostgreSQL reads, written in place: rows of `COPY`'s text format,
/// and JSON objects of text values (each column's input function reads them, as it would read
/// a parameter).
enum RowText {
    /// One JSON object, after a comma unless it is the first: `{"column":"text",...}`, nulls as `null`.
    static func appendJSON(_ columns: [String], _ values: [(any PostgresEncodable)?], to rows: inout [UInt8]) {
        if !rows.isEmpty { rows.append(UInt8(ascii: ",")) }
        rows.append(UInt8(ascii: "{"))
        for (index, column) in columns.enumerated() {
            if index > 0 { rows.append(UInt8(ascii: ",")) }
            rows.append(UInt8(ascii: "\""))
            rows.append(contentsOf: column.utf8)  // identifiers: nothing to escape
            rows.append(contentsOf: #"":"#.utf8)
            guard let value = values[index] else {
                rows.append(contentsOf: "null".utf8)
                continue
            }
            rows.append(UInt8(ascii: "\""))
            append(value, to: &rows, escaping: needsJSONEscape, with: appendJSONEscaped)
            rows.append(UInt8(ascii: "\""))
        }
        rows.append(UInt8(ascii: "}"))
    }

    /// One row of `COPY`'s text format: tab-separated, `\N` for null, newline-terminated.
    static func appendCopy(_ values: [(any PostgresEncodable)?], to rows: inout [UInt8]) {
        for (index, value) in values.enumerated() {
            if index > 0 { rows.append(UInt8(ascii: "\t")) }
            guard let value else {
                rows.append(contentsOf: #"\N"#.utf8)
                continue
            }
            append(value, to: &rows, escaping: needsCopyEscape, with: appendCopyEscaped)
        }
        rows.append(UInt8(ascii: "\n"))
    }

    /// The key columns' text, NUL-separated: which row an update touches.
    static func key(_ key: [String], _ columns: [String], _ values: [(any PostgresEncodable)?]) -> [UInt8] {
        var bytes: [UInt8] = []
        for column in key {
            if let index = columns.firstIndex(of: column), let value = values[index] { value.appendPostgresText(to: &bytes) }
            bytes.append(0)
        }
        return bytes
    }

    /// Writes the value's text straight into `rows`; most needs no escape, and only the rare
    /// value that does is written a second time.
    private static func append(
        _ value: any PostgresEncodable, to rows: inout [UInt8], escaping needsEscape: (UInt8) -> Bool,
        with appendEscaped: (ArraySlice<UInt8>, inout [UInt8]) -> Void
    ) {
        let start = rows.count
        value.appendPostgresText(to: &rows)
        let clean = rows.withUnsafeBufferPointer { buffer in
            var index = start
            while index < buffer.count {
                if needsEscape(buffer[index]) { return false }
                index += 1
            }
            return true
        }
        guard !clean else { return }
        let raw = rows[start...]
        var escaped: [UInt8] = []
        appendEscaped(raw, &escaped)
        rows.replaceSubrange(start..., with: escaped)
    }

    private static func needsJSONEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func appendJSONEscaped(_ raw: ArraySlice<UInt8>, _ out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for byte in raw {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case ..<0x20: out += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
    }

    private static func needsCopyEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }

    private static func appendCopyEscaped(_ raw: ArraySlice<UInt8>, _ out: inout [UInt8]) {
        for byte in raw {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            default: out.append(byte)
            }
        }
    }
}
