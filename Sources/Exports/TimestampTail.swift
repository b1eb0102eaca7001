/// Turns the last field of a CSV row from PostgreSQL's ISO output of a `timestamptz` in UTC
/// (`2026-11-22 04:49:46.07+00`, trailing zeros of the fraction dropped) into the exports'
/// RFC 3339 form (`2026-11-22T04:49:46.070000Z`), on the client.
///
/// Why not `to_char` in the COPY: it costs PostgreSQL about a fifth of the time it spends on
/// an event row, and the one backend running the COPY is what bounds an export, while the
/// client waits on it half the time. Every connection runs with `TimeZone = UTC` and
/// `DateStyle = ISO`, and such text never needs CSV quoting, so the field is the row's end.
enum TimestampTail {
    /// The shortest row that can end in one.
    private static let shortest = "2026-11-22 04:49:46+00\n".utf8.count

    /// Writes `row` with its last field rewritten; throws for a row that does not end in such
    /// a timestamp (which would mean a session setting changed), rather than export it wrong.
    static func rewrite(_ row: UnsafeRawBufferPointer, to write: Exporter.Write) throws {
        guard let split = tail(of: row) else {
            // Only the last field is shown: the rest of the row is the event's data.
            let field = row.suffix(40).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).last ?? []
            throw ExportError(
                code: "export_failed", message: "recorded_at came back as \(String(decoding: field, as: UTF8.self).debugDescription), not as a UTC timestamp")
        }
        try write(UnsafeRawBufferPointer(rebasing: row[..<split.space]))
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 18) { out in
            // T HH:MM:SS . ffffff Z \n
            out[0] = UInt8(ascii: "T")
            for i in 0..<8 { out[1 + i] = row[split.space + 1 + i] }
            out[9] = UInt8(ascii: ".")
            for i in 0..<6 { out[10 + i] = i < split.fraction.count ? row[split.fraction.lowerBound + i] : UInt8(ascii: "0") }
            out[16] = UInt8(ascii: "Z")
            out[17] = UInt8(ascii: "\n")
            try write(UnsafeRawBufferPointer(out))
        }
    }

    /// Where the date ends (the space) and the fraction's digits, checked character by character.
    private static func tail(of row: UnsafeRawBufferPointer) -> (space: Int, fraction: Range<Int>)? {
        let end = row.count
        guard end >= shortest, row[end - 1] == UInt8(ascii: "\n"), row[end - 4] == UInt8(ascii: "+"),
            row[end - 3] == UInt8(ascii: "0"), row[end - 2] == UInt8(ascii: "0")
        else { return nil }
        var fraction = (end - 4)..<(end - 4)
        var digits = end - 5
        while digits >= 0, isDigit(row[digits]), end - 4 - digits <= 6 { digits -= 1 }
        if digits >= 0, row[digits] == UInt8(ascii: "."), digits < end - 5 { fraction = (digits + 1)..<(end - 4) }
        let secondsEnd = fraction.isEmpty ? end - 4 : fraction.lowerBound - 1
        let space = secondsEnd - 9
        guard space >= 10, matches(row, at: space - 10, "dddd-dd-dd dd:dd:dd") else { return nil }
        return (space, fraction)
    }

    /// `pattern` with `d` for a digit, anything else literal.
    private static func matches(_ row: UnsafeRawBufferPointer, at start: Int, _ pattern: StaticString) -> Bool {
        for i in 0..<pattern.utf8CodeUnitCount {
            let expected = pattern.utf8Start[i]
            let actual = row[start + i]
            if expected == UInt8(ascii: "d") ? !isDigit(actual) : actual != expected { return false }
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
