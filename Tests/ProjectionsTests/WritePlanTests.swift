import Foundation
import LooplineTestSupport
import Postgres
@testable import Projections
import Testing

@Suite("Write plans against the real PostgreSQL")
struct WritePlanTests {
    /// Text that breaks naive COPY and JSON writers.
    static let hostile = [
        "plain", "tab\there", "new\nline", "carriage\rreturn", #"back\slash"#, #"a "quoted" word"#, "comma, and; more",
        "emoji 🚀 and ü", #"\N"#, "", "control \u{01} byte", "sql'); DROP TABLE t; --",
    ]

    static let table = """
        CREATE TABLE t (id integer PRIMARY KEY, note text COLLATE "C", at timestamptz, tags text[] COLLATE "C", n bigint)
        """

    /// Runs a plan's steps as the runtime does: COPYs, then statements.
    static func run(_ steps: [WritePlan.Step], on connection: Connection) throws {
        for step in steps {
            switch step {
            case .copy(let sql, let rows): try connection.copyIn(sql) { writer in try rows.withUnsafeBytes { try writer.write($0) } }
            case .statement(let statement): _ = try connection.query(statement.sql, statement.parameters)
            }
        }
    }

    @Test("creations by COPY and by statement store every value exactly, nulls as NULL", arguments: [WritePlan.Creations.copy, .statement])
    func creations(form: WritePlan.Creations) async throws {
        try await TestDatabase.with { db in
            let at = try #require(ISO8601DateFormatter().date(from: "2026-10-05T09:30:00Z"))
            let rows = try await db.client.withConnection { connection in
                _ = try connection.execute(Self.table)
                var plan = WritePlan(creations: form)
                for (index, note) in Self.hostile.enumerated() {
                    plan.add(.create(
                        table: "t", columns: ["id", "note", "at", "tags", "n"],
                        values: [index, note, index % 3 == 0 ? nil : at.addingTimeInterval(Double(index) * 0.123456),
                                 PostgresTextArray([note, "x"]), index % 2 == 0 ? nil : Int64(-index) * 1_000_000_007]))
                }
                try Self.run(plan.steps(), on: connection)
                return try connection.query(
                    "SELECT id, note, extract(epoch FROM at)::float8, array_length(tags, 1), tags[1], tags[2], n FROM t ORDER BY id"
                ).rows.map { row in
                    (try row.decode(0, as: Int.self), try row.decode(1, as: String?.self), try row.decode(2, as: Double?.self),
                     [try row.decode(3, as: Int.self) == 2 ? try row.decode(4, as: String.self) : "?", try row.decode(5, as: String.self)],
                     try row.decode(6, as: Int64?.self))
                }
            }
            #expect(rows.map(\.0) == Array(Self.hostile.indices))
            for (id, note, epoch, tags, n) in rows {
                #expect(note == Self.hostile[id], "row \(id)")
                let expected = id % 3 == 0 ? nil : at.timeIntervalSince1970 + Double(id) * 0.123456
                #expect(epoch.map { abs($0 - expected!) < 0.000_001 } ?? (expected == nil), "row \(id): \(String(describing: epoch))")
                #expect(tags == [Self.hostile[id], "x"], "row \(id)")
                #expect(n == (id % 2 == 0 ? nil : Int64(-id) * 1_000_000_007))
            }
        }
    }

    @Test("a row's updates in one plan apply in log order; the plan names the tables it updates")
    func updatesInOrder() async throws {
        try await TestDatabase.with { db in
            let (notes, updated) = try await db.client.withConnection { connection in
                _ = try connection.execute(Self.table)
                var plan = WritePlan(creations: .copy)
                plan.add(.create(table: "t", columns: ["id", "note"], values: [1, "created"]))
                plan.add(.create(table: "t", columns: ["id", "note"], values: [2, "created"]))
                for step in ["first", "second", "third"] {
                    plan.add(.update(table: "t", key: ["id"], set: "note = t.note || ' > ' || v.note", columns: ["id", "note"], values: [1, step]))
                }
                plan.add(.update(table: "t", key: ["id"], set: "note = v.note", columns: ["id", "note"], values: [2, "tab\tand \"quotes\""]))
                try Self.run(plan.steps(), on: connection)
                return (try connection.query("SELECT note FROM t ORDER BY id").column(0, as: String.self), plan.updatedTables)
            }
            #expect(notes == ["created > first > second > third", "tab\tand \"quotes\""])
            #expect(updated == ["t"])
        }
    }
}
