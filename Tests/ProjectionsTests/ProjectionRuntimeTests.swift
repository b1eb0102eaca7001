import EventStore
import Foundation
import Lifecycle
import LooplineTestSupport
import Postgres
import Projections
import Testing

/// A projection that records every event it applies under a primary key: an event applied
/// twice stops it, one skipped or reordered shows in the table. Events of stream
/// `poison-1` break its CHECK constraint, to stand for an event it cannot apply.
struct LedgerProjection: Projection {
    var version = 1
    var name: String { "ledger_test" }
    /// A test's own table, not one of `schema/`: `LedgerProjection.files` adds its file.
    var tablesFile: SchemaFile { .tables("ledger_test") }
    static let tablesSQL =
        "CREATE TABLE seen (position bigint PRIMARY KEY, type text NOT NULL, stream text NOT NULL CHECK (stream <> 'poison-1'))"
    /// `schema/`, plus this projection's table.
    static let files: SchemaFiles = {
        var files = TestEnvironment.schemaFiles
        files.objects[LedgerProjection().tablesFile] = tablesSQL
        return files
    }()
    var eventTypes: Set<String> { Set(DomainEvent.types) }
    func writes(for event: ProjectedEvent) -> [ProjectionWrite] {
        [.sql("INSERT INTO seen VALUES ($1, $2, $3)", [event.position, event.event.type, event.stream])]
    }
}

@Suite("Projection runtime")
struct ProjectionRuntimeTests {
    func positions(_ db: TestDatabase, _ sql: String) async throws -> [Int64] {
        try await db.client.withConnection { connection in try connection.query(sql).column(0, as: Int64.self) }
    }

    @Test("with concurrent writers, every event is applied exactly once, in log order")
    func exactlyOnce() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db, files: LedgerProjection.files)
            try await harness.withWorkers([LedgerProjection()]) { _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<4 {
                        group.addTask {
                            for index in 0..<75 {
                                try await harness.send("integrate-commit", #"{"sha": "\#(String(format: "%07x", writer * 1000 + index))", "service": "s\#(writer)", "message": "change \#(index)"}"#)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await harness.caughtUp([LedgerProjection()])
            }
            let applied = try await positions(db, "SELECT position FROM ledger_test.seen ORDER BY position")
            let logged = try await positions(db, "SELECT global_position FROM events ORDER BY global_position")
            #expect(applied.count == 300)
            #expect(applied == logged)
        }
    }

    @Test("an event a projection cannot apply stops that projection alone, at that event")
    func poisonEvent() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db, files: LedgerProjection.files)
            for index in 1...3 { try await harness.send("create-story", #"{"storyId": "P-\#(index)", "title": "t", "service": "web"}"#) }
            let poison = try await db.store.append(
                [NewEvent(type: "BuildStarted", schemaVersion: 1, data: #"{"buildId": "1", "sha": "abcdef1", "service": "web", "occurredAt": "2026-10-01T00:00:00Z"}"#)],
                to: try StreamName("poison-1"))
            for index in 4...5 { try await harness.send("create-story", #"{"storyId": "P-\#(index)", "title": "t", "service": "web"}"#) }

            try await harness.withWorkers([LedgerProjection(), PlanningProjection()]) { _ in
                try await harness.caughtUp([PlanningProjection()])
                var ledger = try await ProjectionStatus.all([LedgerProjection()], client: db.client)[0]
                for _ in 0..<100 where ledger.state != "failed" {
                    try await Task.sleep(for: .milliseconds(50))
                    ledger = try await ProjectionStatus.all([LedgerProjection()], client: db.client)[0]
                }
                #expect(ledger.state == "failed")
                #expect(ledger.lastError?.position == poison.position)
                #expect(ledger.lastError?.eventId == poison.events[0].eventId)
                #expect(ledger.lastError?.type == "BuildStarted")
                #expect(ledger.lastError?.message.contains("seen_stream_check") == true, "\(ledger.lastError?.message ?? "")")
                #expect(ledger.position == poison.position - 1, "everything before it is applied")
            }
            #expect(try await positions(db, "SELECT position FROM ledger_test.seen ORDER BY position") == [1, 2, 3])
            let stories = try await positions(db, "SELECT count(*) FROM planning.stories")
            #expect(stories == [5], "the other projection went on")
        }
    }

    @Test("an event whose data does not fit its type stops the projection with the decoding error")
    func undecodableEvent() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db, files: LedgerProjection.files)
            try await harness.send("create-story", #"{"storyId": "P-1", "title": "t", "service": "web"}"#)
            let bad = try await db.store.append(
                [NewEvent(type: "StoryCreated", schemaVersion: 1, data: #"{"storyId": 7}"#)], to: try StreamName("story-P-2"))
            try await harness.withWorkers([PlanningProjection()]) { _ in
                var status = try await ProjectionStatus.all([PlanningProjection()], client: db.client)[0]
                for _ in 0..<100 where status.state != "failed" {
                    try await Task.sleep(for: .milliseconds(50))
                    status = try await ProjectionStatus.all([PlanningProjection()], client: db.client)[0]
                }
                #expect(status.state == "failed")
                #expect(status.lastError?.position == bad.position)
                #expect(status.lastError?.message.contains("undecodable_event") == true || status.lastError?.message.contains("storyId") == true,
                        "\(status.lastError?.message ?? "")")
            }
            #expect(try await positions(db, "SELECT count(*) FROM planning.stories") == [1])
        }
    }

    @Test("a new version of a projection rebuilds its tables from the log")
    func versionRebuild() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db, files: LedgerProjection.files)
            for index in 1...5 { try await harness.send("create-story", #"{"storyId": "V-\#(index)", "title": "t", "service": "web"}"#) }
            try await harness.withWorkers([LedgerProjection()]) { _ in try await harness.caughtUp([LedgerProjection()]) }
            // Something only a rebuild removes.
            try await db.client.withConnection { connection in _ = try connection.execute("INSERT INTO ledger_test.seen VALUES (1000, 'Marker', 'marker-1')") }
            try await harness.withWorkers([LedgerProjection(version: 2)]) { _ in try await harness.caughtUp([LedgerProjection(version: 2)]) }
            #expect(try await positions(db, "SELECT position FROM ledger_test.seen ORDER BY position") == [1, 2, 3, 4, 5])
            let status = try await ProjectionStatus.all([LedgerProjection(version: 2)], client: db.client)[0]
            #expect(status.version == 2)
            #expect(status.position == 5)
        }
    }

    @Test("two workers: each projection has one owner; when it stops, the other takes over")
    func takeover() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db, files: LedgerProjection.files)
            try await harness.send("create-story", #"{"storyId": "T-1", "title": "t", "service": "web"}"#)
            let projections: [any Projection] = [LedgerProjection(), PlanningProjection()]
            func service() throws -> ProjectionService {
                try ProjectionService(
                    projections: projections, files: LedgerProjection.files, store: db.store, client: db.client,
                    options: ProjectionHarness.fast, logger: TestEnvironment.logger())
            }
            let (first, second) = (try service(), try service())
            try await db.withStoreRunning {
                let firstTask = Task { try await first.run() }
                try await harness.caughtUp(projections)
                let secondTask = Task { try await second.run() }
                try await Task.sleep(for: .milliseconds(500))
                let owners = try await ProjectionStatus.all(projections, client: db.client).map(\.owner)
                #expect(owners == [first.owner, first.owner], "the first worker keeps what it owns")

                firstTask.cancel()
                _ = await firstTask.result
                try await harness.send("create-story", #"{"storyId": "T-2", "title": "t", "service": "web"}"#)
                try await harness.caughtUp(projections)
                let after = try await ProjectionStatus.all(projections, client: db.client)
                #expect(after.map(\.owner) == [second.owner, second.owner])
                #expect(after.allSatisfy { $0.ownerActive })
                secondTask.cancel()
                _ = await secondTask.result
            }
            #expect(try await positions(db, "SELECT position FROM ledger_test.seen ORDER BY position") == [1, 2])
        }
    }

    @Test("a worker or a replay missing one of its schema/ files refuses to start, saying which")
    func missingSchemaFile() async throws {
        try await TestDatabase.with { db in
            for missing in [SchemaFile.tables("planning"), .indexes("testing"), .view("stories"), .function("step_hours")] {
                var files = TestEnvironment.schemaFiles
                files.objects[missing] = nil
                let starts: [() throws -> Void] = [
                    { _ = try ProjectionService(files: files, store: db.store, client: db.client, logger: TestEnvironment.logger()) },
                    { _ = try Replay(projections: ReadModels.all, files: files, store: db.store, client: db.client, logger: TestEnvironment.logger()) },
                ]
                for start in starts {
                    do {
                        try start()
                        Issue.record("started without \(missing)")
                    } catch let error as EventStoreError {
                        #expect(error.code == .schemaMismatch && error.message.contains(missing.path), "\(error)")
                    }
                }
            }
        }
    }
}
