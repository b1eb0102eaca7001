import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("PostgresClient: pool, failures, notifications")
struct PostgresClientTests {
    @Test(
        "a bad conninfo gives a clear error, never a crash or a leaked password",
        arguments: [
            "host=/nonexistent/socket/dir port=5999 password=hunter2",
            "this is = not a conninfo",
            "postgresql://user:hunter2@127.0.0.1:1/db",
            "dbname=surely_no_such_database_here password=hunter2",
        ])
    func badConninfo(_ conninfo: String) async throws {
        let client = PostgresClient(configuration: .init(conninfo: conninfo, maxConnections: 1), logger: TestEnvironment.logger())
        let error = await #expect(throws: PostgresError.self) {
            try await client.withConnection { connection in connection.backendPID }
        }
        #expect(error?.isConnectionFailure == true)
        #expect(error?.message.contains("could not connect to PostgreSQL") == true)
        #expect(error?.message.contains("hunter2") == false)
        #expect(client.configuration.targetDescription.contains("hunter2") == false)
        await client.close()
    }

    @Test("the pool never opens more than its size and times out waiting callers")
    func boundedPoolTimesOut() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let client = PostgresClient(
                configuration: .init(conninfo: db.conninfo, maxConnections: 2, acquireTimeout: .milliseconds(200)),
                logger: TestEnvironment.logger())
            // Two callers hold both connections until the third has timed out (no timing guesses).
            let release = Flag()
            let holding = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            try await client.withConnection { connection in
                                _ = try connection.execute("SELECT 1")
                                while !release.isSet { usleep(1_000) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            while client.statistics.inUse < 2 { try await Task.sleep(for: .milliseconds(10)) }
            let error = await #expect(throws: PostgresError.self) {
                try await client.withConnection { connection in connection.backendPID }
            }
            #expect(error?.kind == .acquireTimeout)
            release.set()
            try await holding.value
            let backends = try await client.withConnection { connection in
                try connection.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'loopline'"
                )[0].decode(0, as: Int.self)
            }
            #expect(backends <= 2)
            #expect(client.statistics.acquireTimeouts == 1)
            await client.close()
        }
    }

    @Test("close may be called twice at once; both return once the leased connection comes back")
    func concurrentClose() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let client = PostgresClient(configuration: .init(conninfo: db.conninfo, maxConnections: 1), logger: TestEnvironment.logger())
            let leased = Task { try await client.withConnection { connection in try connection.execute("SELECT pg_sleep(0.3)") } }
            try await Task.sleep(for: .milliseconds(100))
            async let first: Void = client.close()
            async let second: Void = client.close()
            _ = await (first, second)
            _ = try await leased.value
            let error = await #expect(throws: PostgresError.self) { try await client.withConnection { $0.backendPID } }
            #expect(error?.kind == .closed)
        }
    }

    @Test("a connection killed by the server is replaced on the next lease")
    func reconnectsAfterTermination() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let client = PostgresClient(configuration: .init(conninfo: db.conninfo, maxConnections: 1), logger: TestEnvironment.logger())
            let first = try await client.withConnection { connection in connection.backendPID }
            try await db.client.withConnection { connection in
                try connection.query("SELECT pg_terminate_backend($1)", [first])
            }
            try await Task.sleep(for: .milliseconds(100))
            let second = try await client.withConnection { connection in
                try connection.query("SELECT pg_backend_pid()")[0].decode(0, as: Int32.self)
            }
            #expect(second != first)
            await client.close()
        }
    }

    @Test("the listener delivers notifications to every subscriber")
    func listenNotify() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let listener = NotificationListener(
                configuration: .init(conninfo: db.conninfo), channels: ["test_channel"], logger: TestEnvironment.logger())
            let first = listener.events()
            let second = listener.events()
            listener.start()
            defer { listener.stop() }
            var iterator = first.makeAsyncIterator()
            guard case .connected = await iterator.next() else {
                Issue.record("expected a connected event first")
                return
            }
            try await db.client.withConnection { connection in
                try connection.query("SELECT pg_notify($1, $2)", ["test_channel", "hello"])
            }
            guard case .notification(let received) = await iterator.next() else {
                Issue.record("expected a notification")
                return
            }
            #expect(received.channel == "test_channel")
            #expect(received.payload == "hello")
            var other = second.makeAsyncIterator()
            _ = await other.next()
            guard case .notification(let alsoReceived) = await other.next() else {
                Issue.record("the second subscriber got nothing")
                return
            }
            #expect(alsoReceived.payload == "hello")
        }
    }
}
