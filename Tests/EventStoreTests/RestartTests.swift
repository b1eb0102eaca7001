import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

@Suite("Following through a PostgreSQL restart")
struct RestartTests {
    @Test("a server restart while following loses nothing and repeats nothing")
    func restartWhileFollowing() async throws {
        let cluster = try await PrivateCluster.start()
        defer { Task { await cluster.stop() } }
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
        let acknowledged = Mutex<[UUID]>([])
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
                    }
                }
                acknowledged.withLock { $0.append(event.id) }
                index += 1
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        while acknowledged.withLock({ $0.count }) < 200 { try await Task.sleep(for: .milliseconds(10)) }
        try await cluster.restart()
        let afterRestart = acknowledged.withLock { $0.count }
        while acknowledged.withLock({ $0.count }) < afterRestart + 200 { try await Task.sleep(for: .milliseconds(10)) }
        stop.set()
        try await writer.value

        let total = try await client.withConnection { connection in
            try connection.query("SELECT count(*) FROM events")[0].decode(0, as: Int.self)
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while seen.withLock({ $0.count }) < total, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        follower.cancel()
        relay.cancel()

        let events = seen.withLock { $0 }
        let ids = acknowledged.withLock { $0 }
        #expect(total == ids.count, "every acknowledged append is in the log, once")
        #expect(events.count == ids.count)
        #expect(zip(events, ids).allSatisfy { $0.eventId == $1 }, "the follower saw every event once, in order")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.position < $1.position })
        await client.close()
    }
}
