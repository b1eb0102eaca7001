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

    @Test("PostgreSQL's own COPY text of many instants becomes what Swift formats for them: RFC 3339, UTC, microseconds")
    func matchesPostgres() async throws {
        try await TestDatabase.with { db in
            let instants = try await db.client.withConnection { connection in
                // Whole seconds and every length of fraction PostgreSQL trims to, across years and days.
                try connection.query(
                    """
                    SELECT t FROM unnest(ARRAY['2026-11-22 04:49:46+00', '2026-11-22 04:49:46.1+00', '2026-11-22 04:49:46.12+00',
                        '2026-11-22 04:49:46.123+00', '2026-11-22 04:49:46.1234+00', '2026-11-22 04:49:46.12345+00',
                        '2026-11-22 04:49:46.123456+00', '2026-11-22 04:49:46.000001+00', '2000-02-29 23:59:59.999999+00',
                        '1970-01-01 00:00:00+00', '9999-12-31 23:59:59.5+00']::timestamptz[]) AS t
                    """
                ).rows.map { try $0.decode(0, as: Date.self) }
            }
            let rows = Mutex<[String]>([])
            try await db.client.withConnection { connection in
                try connection.copyOut(
                    """
                    COPY (SELECT n, 'a, "b"', t FROM unnest(ARRAY['2026-11-22 04:49:46+00', '2026-11-22 04:49:46.1+00',
                        '2026-11-22 04:49:46.12+00', '2026-11-22 04:49:46.123+00', '2026-11-22 04:49:46.1234+00',
                        '2026-11-22 04:49:46.12345+00', '2026-11-22 04:49:46.123456+00', '2026-11-22 04:49:46.000001+00',
                        '2000-02-29 23:59:59.999999+00', '1970-01-01 00:00:00+00', '9999-12-31 23:59:59.5+00']::timestamptz[])
                        WITH ORDINALITY AS u(t, n) ORDER BY n) TO STDOUT WITH (FORMAT csv)
                    """
                ) { row in
                    let text = String(decoding: row, as: UTF8.self)
                    rows.withLock { $0.append(text) }
                }
            }
            let copied = rows.withLock { $0 }
            #expect(copied.count == instants.count)
            for (index, (row, instant)) in zip(copied, instants).enumerated() {
                #expect(try rewritten(row) == "\(index + 1),\"a, \"\"b\"\"\",\(PostgresTimestamp.format(instant))\n", "\(row)")
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
    }
}
