@testable import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

/// The ordering guarantee under load: many writers, some holding their transactions open or
/// rolling back, and a follower that must see every committed event once, in order.
@Suite("Gap-free follow under concurrent writers")
struct GapFreeFollowTests {
    final class Collected: Sendable {
        let events = Mutex<[RecordedEvent]>([])
        var count: Int { events.withLock { $0.count } }
    }

    @Test("8 writers × 2,000 events plus open and rolled-back transactions: the follower sees each event once, in order")
    func followerUnderLoad() async throws {
        try await TestDatabase.with(maxConnections: 16) { db in
            try await db.withStoreRunning {
                let collected = Collected()
                let follower = Task {
                    for try await event in db.store.follow(after: 0) {
                        collected.events.withLock { $0.append(event) }
                    }
                }
                let writersDone = Flag()
                let holders = Task { try await holdTransactionsOpen(db, until: writersDone) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<8 {
                        group.addTask { try await write(db, writer: writer, events: 2_000) }
                    }
                    try await group.waitForAll()
                }
                writersDone.set()
                let held = try await holders.value

                let committed = try await db.eventCount()
                #expect(committed == 8 * 2_000 + held.committed)
                let deadline = ContinuousClock.now + .seconds(60)
                while collected.count < committed, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                // Anything extra (a duplicate) would arrive now.
                try await Task.sleep(for: .milliseconds(200))
                follower.cancel()

                let seen = collected.events.withLock { $0 }
                let positions = seen.map(\.position)
                #expect(seen.count == committed)
                #expect(zip(positions, positions.dropFirst()).allSatisfy { $0 < $1 }, "positions strictly increase")
                #expect(Set(seen.map(\.eventId)).count == seen.count, "no event twice")
                let everything = try await db.readEverything()
                #expect(everything.count == seen.count)
                let firstDifference = zip(everything, seen).enumerated().first { $1.0.eventId != $1.1.eventId || $1.0.position != $1.1.position }?.offset
                #expect(firstDifference == nil, "the follower's sequence equals read from 0")
                // The scenario really produced holes: rolled-back positions, and waits at holes.
                let maxPosition = positions.last ?? 0
                #expect(maxPosition > Int64(committed), "rolled-back appends left holes")
                #expect(db.store.horizon.fencesRaised > 0, "the follower met holes it had to wait at")
            }
        }
    }

    /// One writer: single events and small batches, to its own streams and a shared one.
    func write(_ db: TestDatabase, writer: Int, events: Int) async throws {
        let sizes = [1, 1, 1, 2, 5]
        var written = 0
        var round = 0
        while written < events {
            let size = min(sizes[round % sizes.count], events - written)
            let stream = try StreamName(round % 4 == 0 ? "build-shared" : "build-w\(writer)")
            let batch = (0..<size).map { NewEvent(type: "BuildPassed", data: #"{"writer": \#(writer), "n": \#(written + $0)}"#) }
            _ = try await db.store.append(batch, to: stream)
            written += size
            round += 1
        }
    }

    /// Two writers that take positions, then hold their transaction open 20–250 ms; every
    /// fourth one rolls back.
    func holdTransactionsOpen(_ db: TestDatabase, until done: Flag) async throws -> (committed: Int, rolledBack: Int) {
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for holder in 0..<2 {
                group.addTask {
                    var (committed, rolledBack, round) = (0, 0, 0)
                    while !done.isSet {
                        let rollback = round % 4 == 3
                        _ = try await db.appendHoldingTransaction(
                            stream: "deployment-held\(holder)", count: 3, hold: .milliseconds(20 + (round * 37) % 230),
                            rollback: rollback)
                        if rollback { rolledBack += 3 } else { committed += 3 }
                        round += 1
                    }
                    return (committed, rolledBack)
                }
            }
            return try await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
    }

    @Test("status names the open transaction that holds readers back, and readAll stops below its hole")
    func statusNamesTheBlocker() async throws {
        try await TestDatabase.with { db in
            _ = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-1"))
            let (taken, release) = (Flag(), Flag())
            defer { release.set() }  // a failed expectation must not leave the transaction open
            let holder = Task {
                try await db.appendHoldingTransaction(stream: "story-held", count: 1, until: release, taken: taken)
            }
            try await taken.wait()
            let after = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-2"))

            let status = try await db.store.status()
            #expect(status.heldBack)
            #expect(status.headPosition == after.position)
            #expect(status.safePosition == after.position - 2)
            #expect(status.waitingEvents == 1)
            let blocker = try #require(status.blockers.first { $0.appending })
            #expect(blocker.pid != nil)
            #expect((blocker.openForSeconds ?? 0) > 0)
            #expect(status.openAppends.map(\.pid) == [blocker.pid])
            #expect(try await db.store.safePosition() == status.safePosition, "where an export started now would end")

            let visible = try await db.store.readAll()
            #expect(visible.map(\.position) == [after.position - 2], "nothing above the open transaction's hole")

            release.set()
            let (pid, positions) = try await holder.value
            #expect(pid == blocker.pid)
            let released = try await db.store.status()
            #expect(!released.heldBack)
            #expect(released.safePosition == released.headPosition)
            #expect(try await db.store.safePosition() == released.headPosition)
            #expect(try await db.store.readAll().map(\.position) == [after.position - 2, positions[0], after.position])
        }
    }

    @Test("nextPage waitingAtMost: an idle log gives an empty page on time, a filter's skipped events move it on, an event ends the wait")
    func nextPageWaitingAtMost() async throws {
        try await TestDatabase.with { db in
            try await db.withStoreRunning {
                _ = try await db.store.append([NewEvent(type: "BuildPassed"), NewEvent(type: "BuildPassed")], to: try StreamName("build-1"))
                let failedOnly = EventSubscription.Options(filter: try EventFilter(types: ["BuildFailed"]))
                let started = ContinuousClock.now
                let idle = try #require(try await db.store.nextPage(after: 0, options: failedOnly, waitingAtMost: .milliseconds(300)))
                let waited = ContinuousClock.now - started
                #expect(idle.events.isEmpty)
                #expect(idle.next == 2, "the page steps over the two events the filter passed by")
                // Not before the limit; after it once the read in flight ends (seconds on a loaded machine).
                #expect(waited >= .milliseconds(300), "\(waited)")

                let page = Task { try await db.store.nextPage(after: idle.next, options: failedOnly, waitingAtMost: .seconds(30)) }
                try await Task.sleep(for: .milliseconds(100))
                _ = try await db.store.append([NewEvent(type: "BuildFailed")], to: try StreamName("build-1"))
                let arrived = try #require(try await page.value)
                #expect(arrived.events.map(\.position) == [3], "an event ends the wait long before its limit")
            }
        }
    }

    @Test("a new process's readers start near the head of a long log, not a window at a time from 0")
    func freshHorizonStartsNearHead() async throws {
        try await TestDatabase.with { db in
            let events = 60_000
            #expect(HorizonTracker.statementsPerRefresh * HorizonTracker.window < events, "more than one round's walk from 0")
            try await db.client.withConnection { connection in
                _ = try connection.query(
                    """
                    INSERT INTO events (event_id, stream_id, stream_version, type, data)
                    SELECT gen_random_uuid(), 'tick-' || n, 1, 'Tick', '{}' FROM generate_series(1, $1::integer) AS n
                    """, [events])
            }
            let fresh = EventStore(client: db.client, logger: TestEnvironment.logger())
            #expect(try await fresh.horizon.refresh() == Int64(events), "one round reaches the head")
            #expect(try await fresh.readAll(after: Int64(events) - 3).map(\.position) == [59_998, 59_999, 60_000])
        }
    }

    @Test("an append prepared for two-phase commit holds readers below its position until it commits")
    func preparedAppendHoldsReadersBack() async throws {
        try await TestDatabase.with { db in
            _ = try await db.store.append([NewEvent(type: "Tick")], to: try StreamName("tick-1"))
            let transaction = "loopline-test-\(db.name)"
            try await db.client.withConnection { connection in
                _ = try connection.execute(
                    """
                    BEGIN; INSERT INTO events (event_id, stream_id, stream_version, type, data)
                    VALUES (gen_random_uuid(), 'tick-prepared', 1, 'Tick', '{}'); PREPARE TRANSACTION '\(transaction)'
                    """)
            }
            let fresh = EventStore(client: db.client, logger: TestEnvironment.logger())
            do {
                let after = try await db.store.append([NewEvent(type: "Tick")], to: try StreamName("tick-2"))
                #expect(after.position == 3, "the prepared insert took position 2")
                #expect(try await fresh.safePosition() == 1)
                #expect(try await fresh.horizon.refresh() == 1)
                #expect(try await fresh.readAll().map(\.position) == [1])
            } catch {
                // A prepared transaction outlives its session and would keep the database from being dropped.
                try? await db.client.withConnection { _ = try $0.execute("ROLLBACK PREPARED '\(transaction)'") }
                throw error
            }
            try await db.client.withConnection { _ = try $0.execute("COMMIT PREPARED '\(transaction)'") }
            #expect(try await fresh.safePosition() == 3)
            #expect(try await fresh.readAll().map(\.position) == [1, 2, 3])
        }
    }
}
