import Foundation
import Postgres
import Testing

@Suite("Timestamp text conversions")
struct PostgresTimestampTests {
    @Test("formats UTC with microseconds", arguments: [
        (0.0, "1970-01-01T00:00:00.000000Z"),
        (1_790_000_000.5, "2026-09-21T14:13:20.500000Z"),
        (-1.25, "1969-12-31T23:59:58.750000Z"),
        (951_782_400, "2000-02-29T00:00:00.000000Z"),
    ])
    func format(seconds: Double, expected: String) {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("parses PostgreSQL's ISO output, offsets included", arguments: [
        ("2026-09-21 14:13:20.5+00", 1_790_000_000.5),
        ("2026-09-21 16:13:20.5+02", 1_790_000_000.5),
        ("2026-09-21 09:43:20.5-04:30", 1_790_000_000.5),
        ("1970-01-01 00:00:00+00", 0),
        ("2000-02-29T00:00:00Z", 951_782_400),
    ])
    func parse(text: String, expected: Double) throws {
        let parsed = try #require(Array(text.utf8).withUnsafeBufferPointer(PostgresTimestamp.parse))
        #expect(abs(parsed.timeIntervalSince1970 - expected) < 0.000_001)
    }

    @Test("refuses what is not a timestamp", arguments: ["", "2026-13", "yesterday", "2026-01-01 10:00:00 junk"])
    func refuses(text: String) {
        #expect(Array(text.utf8).withUnsafeBufferPointer(PostgresTimestamp.parse) == nil)
    }
}
