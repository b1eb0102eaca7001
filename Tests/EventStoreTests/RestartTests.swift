import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

@Suite("Following through a PostgreSQL restart")
struct RestartTests {
    /// What the writer has had acknowledged, and why it stopped if it failed.
    final class WriterProgress: Sendable {
        let acknowledged = Mutex<[UUID]>([])
        let failure = Mutex<String?>(nil)

        var count: Int { acknowledged.withLock { $0.count } }

        /// Waits for `count` acknowledged appends; fails instead of hanging if the writer died.
        func wait(for count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while self.count < count {
                if let failure = failure.withLock({ $0 }) { throw TimeoutError(what: "appends; the writer failed: \(failure)") }
                guard ContinuousClock.now < deadline else { throw TimeoutError(what: "\(count) appends") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test("a server restart while following loses nothing and repeats nothing")
    func restartWhileFollowing() async throws {
        try await PrivateCluster.with { cluster in
            try await Self.followThrough(cluster) { try await cluster.restart() }
        }
    }

    /// A crash is only survivable as far as the cluster's durability goes: this one has what users
    /// run (fsync, full-page writes, synchronous commit), and every acknowledged append must be there
    /// after recovery from WAL.
    @Test("a crash (every backend killed, no checkpoint) with users' durability loses no acknowledged append")
    func crashWithUsersDurability() async throws {
        try await PrivateCluster.with(durability: .users) { cluster in
            let client = PostgresClient(configuration: .init(conninfo: cluster.conninfo, maxConnections: 1), logger: TestEnvironment.logger())
            let settings = try await client.withConnection { connection in
                try connection.query(
                    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit') ORDER BY name"
                ).rows.map { "\(try $0.decode(0, as: String.self))=\(try $0.decode(1, as: String.self))" }
            }
            await client.close()
            #expect(settings == ["fsync=on", "full_page_writes=on", "synchronous_commit=on"])
            try await Self.followThrough(cluster) {
                try await cluster.crash()
                try await cluster.recover()
            }
        }
    }

    /// Appends and follows while `interrupt` takes the server away and back: every acknowledged
    /// append is in the log once, and the follower saw each once, in order.
    static func followThrough(_ cluster: PrivateCluster, interrupt: () async throws -> Void) async throws {
        let client = PostgresClient(configuration: .init(conninfo: cluster.conninfo, maxConnections: 6), logger: TestEnvironment.logger())
        let store = EventStore(client: client, logger: TestEnvironment.logger())
        _ = try await Migrator(client: client, migrations: TestEnvironment.migrations, logger: TestEnvironment.logger()).migrate()

        let relay = Task { try await store.run() }
        let seen = Mutex<[RecordedEvent]>([])
        let follower = Task {
            for try await event in store.follow(after: 0, options: .init(pollInterval: .milliseconds(200))) {
                seen.withLock { $0.append(event) }
            }
        }
        let progress = WriterProgress()
        let stop = Flag()
        let writer = Task {
            var index = 0
            while !stop.isSet {
                let event = NewEvent(type: "MetricBreached", data: #"{"n": \#(index)}"#)
                // An append cut off by the restart has an unknown outcome: retry the same event id.
                while true {
                    do {
                        _ = try await store.append([event], to: try StreamName("metric-latency"))
                        break
                    } catch let error as EventStoreError where error.code == .databaseUnavailable {
                        try await Task.sleep(for: .milliseconds(50))
                    } catch {
                        progress.failure.withLock { $0 = "\(error)" }
                        throw error
                    }
                }
                progress.acknowledged.withLock { $0.append(event.id) }
                index += 1
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        defer { writer.cancel(); follower.cancel(); relay.cancel() }
        try await progress.wait(for: 200)
        try await interrupt()
        try await progress.wait(for: progress.count + 200)
        stop.set()
        try await writer.value

        let total = try await client.withConnection { connection in
            try connection.query("SELECT count(*) FROM events")[0].decode(0, as: Int.self)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while seen.withLock({ $0.count }) < total, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))

        let events = seen.withLock { $0 }
        let ids = progress.acknowledged.withLock { $0 }
        #expect(total == ids.count, "every acknowledged append is in the log, once")
        #expect(events.count == ids.count)
        #expect(zip(events, ids).allSatisfy { $0.eventId == $1 }, "the follower saw every event once, in order")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.position < $1.position })
        await client.close()
    }
}
