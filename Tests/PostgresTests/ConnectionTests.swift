import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("Connection against the real PostgreSQL")
struct ConnectionTests {
    @Test("decodes text, integers, bool, uuid, timestamptz, jsonb and NULL")
    func typedDecoding() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let id = UUID()
            let moment = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let row = try await db.client.withConnection { connection in
                let row = try connection.query(
                    "SELECT $1::text, $2::bigint, $3::int, $4::boolean, $5::uuid, $6::timestamptz, $7::jsonb::text, NULL::text, $8::float8",
                    ["héllo, ✓", Int64.max, Int32(-42), true, id, moment, #"{"b": [1, 2], "a": "x"}"#, 2.5])[0]
                return Decoded(
                    text: try row.decode(0), big: try row.decode(1), small: try row.decode(2), flag: try row.decode(3),
                    id: try row.decode(4), at: try row.decode(5), json: try row.decode(6), missing: try row.decode(7),
                    double: try row.decode(8))
            }
            #expect(row.text == "héllo, ✓")
            #expect(row.big == Int64.max)
            #expect(row.small == -42)
            #expect(row.flag == true)
            #expect(row.id == id)
            #expect(abs(row.at.timeIntervalSince(moment)) < 0.000_001)
            #expect(row.json == #"{"a": "x", "b": [1, 2]}"#)
            #expect(row.missing == nil)
            #expect(row.double == 2.5)
        }
    }

    struct Decoded: Sendable {
        var text: String, big: Int64, small: Int32, flag: Bool, id: UUID, at: Date, json: String, missing: String?
        var double: Double
    }

    @Test("a NULL read as a non-optional type is a decoding error")
    func nullIntoNonOptional() async throws {
        try await TestDatabase.with(migrated: false) { db in
            await #expect(throws: PostgresError.self) {
                try await db.client.withConnection { connection in
                    try connection.query("SELECT NULL::bigint")[0].decode(0, as: Int64.self)
                }
            }
        }
    }

    @Test("parameters stay data: SQL in a string is stored, not run")
    func parametersAreNotSQL() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let hostile = "x'); DROP TABLE t; --"
            let stored = try await db.client.withConnection { connection in
                try connection.execute("CREATE TABLE t (v text)")
                try connection.query("INSERT INTO t VALUES ($1)", [hostile])
                return try connection.query("SELECT v FROM t").column(0, as: String.self)
            }
            #expect(stored == [hostile])
        }
    }

    @Test("server errors carry SQLSTATE, message, detail and constraint")
    func errorsCarrySQLState() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let error = await #expect(throws: PostgresError.self) {
                try await db.client.withConnection { connection in
                    try connection.execute("CREATE TABLE u (id int CONSTRAINT u_pk PRIMARY KEY)")
                    try connection.query("INSERT INTO u VALUES ($1)", [1])
                    try connection.query("INSERT INTO u VALUES ($1)", [1])
                }
            }
            #expect(error?.kind == .server)
            #expect(error?.code == .uniqueViolation)
            #expect(error?.constraint == "u_pk")
            #expect(error?.detail?.contains("(id)=(1)") == true)
            #expect(error?.isConnectionFailure == false)
        }
    }

    @Test("a transaction commits on return and rolls back on throw")
    func transactions() async throws {
        try await TestDatabase.with(migrated: false) { db in
            struct Planned: Error {}
            try await db.client.withConnection { connection in try connection.execute("CREATE TABLE t (v int)") }
            try await db.client.withTransaction { connection in try connection.query("INSERT INTO t VALUES ($1)", [1]) }
            await #expect(throws: Planned.self) {
                try await db.client.withTransaction { connection in
                    try connection.query("INSERT INTO t VALUES ($1)", [2])
                    throw Planned()
                }
            }
            let values = try await db.client.withConnection { connection in
                try connection.query("SELECT v FROM t ORDER BY v").column(0, as: Int.self)
            }
            #expect(values == [1])
        }
    }

    @Test("COPY streams rows in and out")
    func copyInAndOut() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let (copiedIn, lines) = try await db.client.withConnection { connection in
                try connection.execute("CREATE TABLE c (id int, label text)")
                let copiedIn = try connection.copyIn("COPY c FROM STDIN WITH (FORMAT csv)") { writer in
                    for index in 1...1000 { try writer.write("\(index),\"label, \"\"\(index)\"\"\"\n") }
                }
                var lines: [String] = []
                let copiedOut = try connection.copyOut("COPY (SELECT id, label FROM c ORDER BY id) TO STDOUT WITH (FORMAT csv)") {
                    lines.append(String(decoding: $0, as: UTF8.self))
                }
                #expect(copiedOut == 1000)
                return (copiedIn, lines)
            }
            #expect(copiedIn == 1000)
            #expect(lines.count == 1000)
            #expect(lines.first == "1,\"label, \"\"1\"\"\"\n")
        }
    }

    @Test("a COPY aborted by the writer leaves nothing behind")
    func copyInAborted() async throws {
        try await TestDatabase.with(migrated: false) { db in
            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await db.client.withConnection { connection in
                    try connection.execute("CREATE TABLE c (id int)")
                    try connection.copyIn("COPY c FROM STDIN") { writer in
                        try writer.write("1\n2\n")
                        throw Stop()
                    }
                }
            }
            let count = try await db.client.withConnection { connection in
                try connection.query("SELECT count(*) FROM c")[0].decode(0, as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("a pipeline returns each statement's outcome; one failure does not undo the others")
    func pipeline() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let summary = try await db.client.withConnection { connection in
                try connection.execute("CREATE TABLE p (v int PRIMARY KEY)")
                let outcomes = try connection.pipeline([
                    Statement("INSERT INTO p VALUES ($1) RETURNING v", [1]),
                    Statement("INSERT INTO p VALUES ($1) RETURNING v", [1]),
                    Statement("INSERT INTO p VALUES ($1) RETURNING v", [2]),
                ])
                let codes = outcomes.map { outcome -> String in
                    switch outcome {
                    case .success(let result): return (try? result[0].decode(0, as: String.self)) ?? "?"
                    case .failure(let error): return error.code?.rawValue ?? "?"
                    }
                }
                return (codes, try connection.query("SELECT v FROM p ORDER BY v").column(0, as: Int.self))
            }
            #expect(summary.0 == ["1", "23505", "2"])
            #expect(summary.1 == [1, 2])
        }
    }
}
