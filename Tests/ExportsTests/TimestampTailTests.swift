@testable import Exports
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

@Suite("CSV timestamps rewritten on the client")
struct TimestampTailTests {
    func rewritten(_ row: String) throws -> String {
        let output = Mutex(Data())
        var row = row
        try row.withUTF8 { bytes in
            try TimestampTail.rewrite(UnsafeRawBufferPointer(bytes)) { part in output.withLock { $0.append(contentsOf: part) } }
        }
        return String(decoding: output.withLock { $0 }, as: UTF8.self)
    }

    /// Whole seconds and every length of fraction PostgreSQL trims to, across years and days.
    static let instants = [
        "2026-11-22 04:49:46+00", "2026-11-22 04:49:46.1+00", "2026-11-22 04:49:46.12+00", "2026-11-22 04:49:46.123+00",
        "2026-11-22 04:49:46.1234+00", "2026-11-22 04:49:46.12345+00", "2026-11-22 04:49:46.123456+00",
        "2026-11-22 04:49:46.000001+00", "2000-02-29 23:59:59.999999+00", "1970-01-01 00:00:00+00", "9999-12-31 23:59:59.5+00",
    ]

    @Test("PostgreSQL's own COPY text of many instants becomes what Swift formats for them: RFC 3339, UTC, microseconds")
    func matchesPostgres() async throws {
        try await TestDatabase.with { db in
            let (dates, rows) = try await db.client.withConnection { connection in
                let dates = try connection.query("SELECT unnest($1::timestamptz[])", [PostgresTextArray(Self.instants)])
                    .rows.map { try $0.decode(0, as: Date.self) }
                // COPY takes no parameters: the array travels as a transaction-local setting.
                let rows = try connection.withTransaction { connection in
                    _ = try connection.query("SELECT set_config('test.instants', $1, true)", [PostgresTextArray(Self.instants).postgresText])
                    var rows: [String] = []
                    try connection.copyOut(
                        """
                        COPY (SELECT n, 'a, "b"', t FROM unnest(current_setting('test.instants')::timestamptz[]) WITH ORDINALITY AS u(t, n)
                              ORDER BY n) TO STDOUT WITH (FORMAT csv)
                        """
                    ) { rows.append(String(decoding: $0, as: UTF8.self)) }
                    return rows
                }
                return (dates, rows)
            }
            #expect(rows.count == Self.instants.count)
            for (index, (row, date)) in zip(rows, dates).enumerated() {
                #expect(try rewritten(row) == "\(index + 1),\"a, \"\"b\"\"\",\(PostgresTimestamp.format(date))\n", "\(row)")
            }
        }
    }

    @Test("a row that does not end in a UTC timestamp is refused, not written half-changed")
    func refusesOtherText() throws {
        for row in [
            "1,x,2026-11-22 04:49:46.1+02\n", "1,x,infinity\n", "1,x,0044-03-15 12:00:00+00 BC\n", "1,x,2026-11-22T04:49:46Z\n",
            "1,x,2026-11-22 04:49:46.1234567+00\n", "1,x,2026-11-22 04:49:46.+00\n", "+00\n", "1,x,2026-11-22 04:49:46+00",
        ] {
            #expect(throws: ExportError.self, "\(row)") { _ = try rewritten(row) }
        }
        let error = try #require(throws: ExportError.self) { try rewritten(#"1,"{""secret"": 1}",infinity\#n"#) }
        #expect(error.code == "export_failed")
        #expect(error.message.contains("infinity") && !error.message.contains("secret"), "names the field, not the event's data")
    }
}
