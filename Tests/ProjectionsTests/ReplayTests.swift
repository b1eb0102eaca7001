import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Synchronization
import Testing

@Suite("Replay")
struct ReplayTests {
    func replay(_ db: TestDatabase, batchSize: Int = 500) throws -> Replay {
        try Replay(
            projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: db.store, client: db.client, batchSize: batchSize, logger: TestEnvironment.logger())
    }

    func count(_ db: TestDatabase, _ sql: String) async throws -> Int64 {
        try await db.client.withConnection { connection in try connection.query(sql)[0].decode(0, as: Int64.self) }
    }

    @Test("rebuilds every read model while commands keep arriving, swaps them in, and verify then finds no difference")
    func rebuildUnderLoad() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            try await DORATests.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let writing = Task {
                    var index = 0
                    while !Task.isCancelled {
                        index += 1
                        try await h.send("integrate-commit", #"{"sha": "\#(String(format: "e%07x", index))", "service": "web", "message": "A-1 more"}"#)
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                let head = try await db.store.headPosition()
                let rebuilt = try await replay(db, batchSize: 50).run(verify: false) { _ in }
                #expect(rebuilt.swapped)
                #expect(rebuilt.position > head, "it caught up with the commands that arrived meanwhile")
                writing.cancel()
                _ = await writing.result
                try await h.caughtUp()
                let verified = try await replay(db).run(verify: true) { _ in }
                #expect(verified.verified == true, "\(verified.differences)")
                #expect(verified.differences.isEmpty)
                // The swapped-in models answer as before.
                #expect(PlanningReadModelTests.ids(try await h.query("planning", "backlog")) == ["A-7", "A-4"])
                #expect(try await count(db, "SELECT count(*) FROM integration.commits") == (try await count(db, "SELECT count(*) FROM events WHERE type = 'CommitIntegrated'")))
                #expect(try await count(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%\\_replay'") == 0, "no shadow is left")
            }
        }
    }

    @Test("verify lists the rows that differ and changes nothing")
    func verifyFindsDifferences() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                try await db.client.withConnection { connection in
                    _ = try connection.execute("UPDATE planning.stories SET title = 'tampered' WHERE story_id = 'A-1'")
                }
                let report = try await replay(db).run(verify: true) { _ in }
                #expect(report.verified == false)
                #expect(report.differences.map { "\($0.projection).\($0.table) \($0.side) \($0.rows)" } == [
                    "planning.stories live_only 1", "planning.stories rebuilt_only 1",
                ])
                #expect(report.differences.first?.examples.first?.contains("tampered") == true)
                #expect(try await count(db, "SELECT count(*) FROM planning.stories WHERE title = 'tampered'") == 1, "verify swaps nothing")
                // The live workers get their projections back.
                try await h.send("create-story", #"{"storyId": "A-9", "title": "After", "service": "web"}"#)
                try await h.caughtUp()
            }
        }
    }

    @Test("an interrupted replay leaves the live models, their checkpoints and their owners as they were")
    func interrupted() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            try await DORATests.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let before = try await ProjectionStatus.all(ReadModels.all, client: db.client).map { "\($0.name) \($0.position)" }
                let stories = try await count(db, "SELECT count(*) FROM planning.stories")
                let batches = Atomic(0)
                let run = Task { try await replay(db, batchSize: 20).run(verify: false) { _ in batches.add(1, ordering: .relaxed) } }
                while batches.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(1)) }
                run.cancel()
                await #expect(throws: CancellationError.self) { try await run.value }
                #expect(try await count(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%\\_replay'") == 0, "the shadows are dropped")
                #expect(try await count(db, "SELECT count(*) FROM planning.stories") == stories)
                let after = try await ProjectionStatus.all(ReadModels.all, client: db.client)
                #expect(after.map { "\($0.name) \($0.position)" } == before)
                #expect(after.allSatisfy { $0.owner?.hasPrefix("replay") != true })
            }
        }
    }

    @Test("a second replay against the same database is refused while one runs, and may run once it has finished")
    func oneReplayAtATime() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await PlanningReadModelTests.history(h)
            // An open append above the history holds the first replay at its hole until released:
            // the wait is the database's, so no thread of the concurrency pool is blocked.
            let (taken, release, building) = (Flag(), Flag(), Flag())
            defer { release.set() }
            let holder = Task {
                try await db.appendHoldingTransaction(stream: "story-held", count: 1, until: release, rollback: true, taken: taken)
            }
            try await taken.wait()
            try await h.send("create-story", #"{"storyId": "Z-1", "title": "Above the hole", "service": "web"}"#)
            let first = Task { try await replay(db, batchSize: 2).run(verify: false) { _ in building.set() } }
            try await building.wait()
            await #expect(throws: ReplayRunning.self) { _ = try await replay(db).run(verify: false) { _ in } }
            release.set()
            _ = try await holder.value
            #expect(try await first.value.swapped)
            #expect(try await replay(db).run(verify: true) { _ in }.verified == true, "free again, and the first replay's models are whole")
        }
    }
}
