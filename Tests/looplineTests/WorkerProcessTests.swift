import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `loopline work` processes against one database: crashes, restarts and takeovers.
@Suite("Projection worker processes")
struct WorkerProcessTests {
    /// Appends `count` valid domain events (commits and stories), 100 per append.
    static func history(_ db: TestDatabase, count: Int, offset: Int = 0) async throws {
        for batch in stride(from: 0, to: count, by: 100) {
            let events = (batch..<min(batch + 100, count)).map { index -> NewEvent in
                let n = offset + index
                return n % 3 == 0
                    ? NewEvent(type: "StoryCreated", data: #"{"storyId": "W-\#(n)", "title": "Story \#(n)", "priority": \#(n % 5 + 1), "service": "s\#(n % 4)", "occurredAt": "2026-10-05T09:00:00.000Z"}"#)
                    : NewEvent(type: "CommitIntegrated", data: #"{"sha": "\#(String(format: "%08x", n))", "branch": "main", "storyIds": ["W-\#(n - n % 3)"], "service": "s\#(n % 4)", "occurredAt": "2026-10-05T10:00:00.000Z"}"#)
            }
            _ = try await db.store.append(events, to: try StreamName("history-\(offset + batch)"))
        }
    }

    static func work(_ db: TestDatabase, batchSize: Int = 100) throws -> Subprocess {
        try Subprocess.start(
            CommandLineTests.binary,
            ["work", "--batch-size", "\(batchSize)", "--database-url", db.conninfo, "--schema-dir", TestEnvironment.schemaDirectory.path],
            environment: ["LOOPLINE_LOG_LEVEL": "warning"])
    }

    static func statuses(_ db: TestDatabase) async throws -> [ProjectionStatus] {
        try await ProjectionStatus.all(ReadModels.all, client: db.client)
    }

    /// Polls until every projection has applied the whole log (at most `seconds`).
    static func caughtUp(_ db: TestDatabase, seconds: Int = 60) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await statuses(db).allSatisfy({ $0.state == "running" && $0.lagEvents == 0 }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SubprocessError(message: "projections did not catch up: \(try await statuses(db).map { "\($0.name)@\($0.position)" })")
    }

    static func pid(of owner: String?) -> Int32? { owner.flatMap { Int32($0.split(separator: "/").dropFirst().first ?? "") } }

    @Test("kill -9 of a worker mid-batch, then a restart: the read models equal a clean rebuild")
    func killMidBatch() async throws {
        try await TestDatabase.with { db in
            try await Self.history(db, count: 20_000)
            let first = try Self.work(db, batchSize: 50)
            // Kill it once it is well under way, but not done.
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let positions = try await Self.statuses(db).map(\.position)
                if positions.contains(where: { $0 > 2_000 }) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            first.signal(SIGKILL)
            let killed = await first.wait()
            #expect(killed.status == 128 + SIGKILL)
            let stopped = try await Self.statuses(db)
            #expect(stopped.contains { $0.lagEvents > 0 }, "killed before the end")

            let second = try Self.work(db)
            try await Self.caughtUp(db)
            second.signal(SIGTERM)
            let ended = await second.wait()
            #expect(ended.status == 0, "\(ended.stderr)")

            let replay = try Replay(
                projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: db.store, client: db.client, logger: TestEnvironment.logger())
            let report = try await replay.run(verify: true) { _ in }
            #expect(report.verified == true, "\(report.differences)")
        }
    }

    @Test("two workers own each projection once; kill -9 of the owner, and the survivor takes over within 10 s")
    func takeover() async throws {
        try await TestDatabase.with { db in
            try await Self.history(db, count: 1_000)
            let workers = [try Self.work(db), try Self.work(db)]
            defer { for worker in workers { worker.signal(SIGKILL) } }
            try await Self.caughtUp(db)
            try await Task.sleep(for: .seconds(2))  // both have tried to claim by now
            let owners = try await Self.statuses(db)
            let pids = Set(workers.map(\.pid))
            #expect(owners.allSatisfy { Self.pid(of: $0.owner).map(pids.contains) == true && $0.ownerActive }, "\(owners.map(\.owner))")

            let planningOwner = try #require(Self.pid(of: owners.first { $0.name == "planning" }?.owner))
            let victim = try #require(workers.first { $0.pid == planningOwner })
            let survivor = try #require(workers.first { $0.pid != planningOwner })
            victim.signal(SIGKILL)
            _ = await victim.wait()
            let killedAt = ContinuousClock.now
            try await Self.history(db, count: 300, offset: 1_000)
            // Taking over is owning every projection again; catching up on the new events follows.
            var after = try await Self.statuses(db)
            while !after.allSatisfy({ Self.pid(of: $0.owner) == survivor.pid && $0.ownerActive }),
                ContinuousClock.now - killedAt < .seconds(30) {
                try await Task.sleep(for: .milliseconds(50))
                after = try await Self.statuses(db)
            }
            let tookOver = ContinuousClock.now - killedAt
            #expect(after.allSatisfy { Self.pid(of: $0.owner) == survivor.pid }, "\(after.map(\.owner))")
            #expect(tookOver < .seconds(10), "took \(tookOver)")
            try await Self.caughtUp(db, seconds: 30)

            survivor.signal(SIGTERM)
            #expect(await survivor.wait().status == 0)
            let replay = try Replay(
                projections: ReadModels.all, files: TestEnvironment.schemaFiles, store: db.store, client: db.client, logger: TestEnvironment.logger())
            #expect(try await replay.run(verify: true) { _ in }.verified == true, "each event applied once")
        }
    }
}

/// The replay tool on a seeded history while commands keep arriving.
@Suite("loopline replay on a seeded history")
struct SeededReplayTests {
    @Test("replay --verify passes after 100,000 seeded events while commands keep arriving, and replay swaps in equal models")
    func verifySeededHistory() async throws {
        try await TestDatabase.with { db in
            let arguments = ["--database-url", db.conninfo, "--schema-dir", TestEnvironment.schemaDirectory.path]
            let seeded = try await Subprocess.run(
                CommandLineTests.binary, ["seed", "--events", "100000", "--seed", "7"] + arguments,
                environment: ["LOOPLINE_LOG_LEVEL": "error"])
            #expect(seeded.status == 0, "\(seeded.stderr.suffix(500))")
            #expect(try await db.store.headPosition() == 100_000)

            let worker = try WorkerProcessTests.work(db, batchSize: 500)
            defer { worker.signal(SIGKILL) }
            try await WorkerProcessTests.caughtUp(db, seconds: 120)
            let writing = Task {
                var offset = 200_000
                while !Task.isCancelled {
                    try await WorkerProcessTests.history(db, count: 30, offset: offset)
                    offset += 30
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let verify = try await Subprocess.run(CommandLineTests.binary, ["replay", "--all", "--verify"] + arguments,
                environment: ["LOOPLINE_LOG_LEVEL": "error"])
            #expect(verify.status == 0, "\(verify.stderr.suffix(500)) \(verify.stdout.suffix(2000))")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])
            #expect(report["verified"] as? Bool == true)
            #expect(report["events"] as? Int ?? 0 >= 100_000)

            let swapped = try await Subprocess.run(CommandLineTests.binary, ["replay", "--all"] + arguments,
                environment: ["LOOPLINE_LOG_LEVEL": "error"])
            #expect(swapped.status == 0, "\(swapped.stderr.suffix(500))")
            writing.cancel()
            _ = await writing.result
            try await WorkerProcessTests.caughtUp(db, seconds: 60)
            let again = try await Subprocess.run(CommandLineTests.binary, ["replay", "--all", "--verify"] + arguments,
                environment: ["LOOPLINE_LOG_LEVEL": "error"])
            #expect(again.status == 0, "the swapped-in models equal a fresh rebuild: \(again.stdout.suffix(2000))")
        }
    }
}
