import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Testing

@Suite("Analytics views and the read-only role")
struct AnalyticsViewsTests {
    /// Roles belong to the cluster, which parallel tests share: one name per test database.
    func role(_ db: TestDatabase) -> String { "reader_" + db.name.suffix(12).filter { $0.isLetter || $0.isNumber } }

    func count(_ connection: Connection, _ sql: String) throws -> Int64 { try connection.query(sql)[0].decode(0, as: Int64.self) }

    @Test("a reader role sees every view and their rows, and nothing else; it cannot write; its password is stored hashed")
    func readerRole() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let role = role(db)
                try await AnalyticsViews.grantReader(role, password: "correct horse battery", files: TestEnvironment.schemaFiles, client: db.client)
                let views = try await AnalyticsViews.list(client: db.client).map(\.view)
                #expect(views == (AnalyticsDataset.all.map(\.view) + ["events"]).sorted())
                let stored = try await db.client.withConnection { connection in
                    try connection.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role])[0].decode(0, as: String.self)
                }
                #expect(stored.hasPrefix("SCRAM-SHA-256$"), "hashed by the client")
                #expect(!stored.contains("horse"))

                let reader = try Connection(conninfo: "\(db.conninfo) user=\(role)")
                let stories = try count(reader, "SELECT count(*) FROM analytics.stories")
                #expect(stories == 8, "PlanningReadModelTests.history records eight stories")
                #expect(try count(reader, "SELECT count(*) FROM analytics.events") == (try await db.store.headPosition()))
                #expect(try count(reader, "SELECT count(*) FROM analytics.value_stream") == 8)
                for denied in ["SELECT count(*) FROM planning.stories", "SELECT count(*) FROM events", "SELECT count(*) FROM api_tokens"] {
                    #expect(throws: PostgresError.self, "\(denied)") { try reader.execute(denied) }
                    #expect(reader.isOK, "the connection stays usable")
                }
                do {
                    _ = try reader.execute("CREATE TABLE analytics.mine (x int)")
                    Issue.record("the reader created a table")
                } catch let error as PostgresError {
                    #expect(error.code == .readOnlySQLTransaction || error.code == .insufficientPrivilege, "\(error)")
                }
            }
        }
    }

    @Test("the views survive a replay swap and a version rebuild, and readers keep their access")
    func viewsFollowRebuilds() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            let role = role(db)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                try await AnalyticsViews.grantReader(role, password: nil, files: TestEnvironment.schemaFiles, client: db.client)
                let replay = try Replay(
                    projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: db.store, client: db.client, logger: TestEnvironment.logger())
                #expect(try await replay.run(verify: false) { _ in }.swapped)
            }
            let reader = try Connection(conninfo: "\(db.conninfo) user=\(role)")
            #expect(try count(reader, "SELECT count(*) FROM analytics.stories") == 8, "recreated over the swapped-in tables")
            #expect(try count(reader, "SELECT count(*) FROM analytics.value_stream") == 8)

            // An older version on record: the worker rebuilds the tables (dropping the views over
            // them) and the views come back in the same transaction.
            try await db.client.withConnection { connection in _ = try connection.execute("UPDATE projections SET version = 0 WHERE name = 'planning'") }
            try await h.withWorkers { _ in try await h.caughtUp() }
            #expect(try count(reader, "SELECT count(*) FROM analytics.stories") == 8)
        }
    }

    @Test("each dataset's view has exactly the dataset's columns, in its order: exports read the views")
    func viewColumnsAreTheDatasets() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await h.withWorkers { _ in try await h.caughtUp() }
            for dataset in AnalyticsDataset.all {
                let columns = try await db.client.withConnection { connection in
                    try connection.query(
                        """
                        SELECT a.attname FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
                         ORDER BY a.attnum
                        """, ["\(AnalyticsViews.schema).\(dataset.view)"]
                    ).column(0, as: String.self)
                }
                #expect(columns == dataset.columns.map(\.name), "\(dataset.name)")
            }
        }
    }
}
