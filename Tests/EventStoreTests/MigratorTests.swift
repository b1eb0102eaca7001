import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("Migrations")
struct MigratorTests {
    func migrator(_ db: TestDatabase, _ migrations: [Migration] = TestEnvironment.migrations) -> Migrator {
        Migrator(client: db.client, migrations: migrations, logger: TestEnvironment.logger())
    }

    func recorded(_ db: TestDatabase) async throws -> [Int] {
        try await db.client.withConnection { connection in
            try connection.query("SELECT version FROM schema_migrations ORDER BY version").column(0, as: Int.self)
        }
    }

    @Test("migrate applies every file once; a second run does nothing")
    func twice() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let first = try await migrator(db).migrate()
            #expect(first.applied == TestEnvironment.migrations.map(\.fileName))
            let second = try await migrator(db).migrate()
            #expect(second.applied.isEmpty)
            #expect(try await recorded(db) == TestEnvironment.migrations.map(\.version))
            #expect(try await migrator(db).status().isUpToDate)
        }
    }

    @Test("concurrent migrate runs apply each file exactly once")
    func concurrently() async throws {
        try await TestDatabase.with(migrated: false, maxConnections: 6) { db in
            let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
                for _ in 0..<6 { group.addTask { try await migrator(db).migrate() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.flatMap(\.applied).sorted() == TestEnvironment.migrations.map(\.fileName).sorted())
            #expect(try await recorded(db) == TestEnvironment.migrations.map(\.version))
        }
    }

    @Test("a file changed after it was applied is refused with a clear message")
    func changedFile() async throws {
        try await TestDatabase.with { db in
            var changed = TestEnvironment.migrations
            changed[0].sql += "\n-- an innocent-looking edit\n"
            let error = await #expect(throws: EventStoreError.self) { try await migrator(db, changed).migrate() }
            #expect(error?.code == .schemaMismatch)
            #expect(error?.message.contains("0001_events.sql changed after it was applied") == true)
        }
    }

    @Test("a database with migrations this build does not know is refused")
    func newerDatabase() async throws {
        try await TestDatabase.with { db in
            let older = Array(TestEnvironment.migrations.dropLast())
            let error = await #expect(throws: EventStoreError.self) { try await migrator(db, older).migrate() }
            #expect(error?.message.contains("does not know") == true)
            await #expect(throws: EventStoreError.self) { try await migrator(db, older).requireUpToDate() }
        }
    }

    @Test("a failing migration is rolled back and not recorded")
    func failingMigration() async throws {
        try await TestDatabase.with { db in
            let broken = TestEnvironment.migrations + [
                Migration(version: 9999, name: "broken", sql: "CREATE TABLE half_done (id int); SELECT no_such_function();")
            ]
            let error = await #expect(throws: EventStoreError.self) { try await migrator(db, broken).migrate() }
            #expect(error?.message.contains("9999_broken.sql failed") == true)
            let leftover = try await db.client.withConnection { connection in
                try connection.query("SELECT to_regclass('half_done') IS NULL")[0].decode(0, as: Bool.self)
            }
            #expect(leftover)
            #expect(try await recorded(db) == TestEnvironment.migrations.map(\.version))
        }
    }

    @Test("a server build refuses to start on an unmigrated database")
    func requireUpToDate() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let error = await #expect(throws: EventStoreError.self) { try await migrator(db).requireUpToDate() }
            #expect(error?.message.contains("run `loopline migrate`") == true)
        }
    }
}
