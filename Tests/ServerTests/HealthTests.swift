import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("GET /health on a live server")
struct HealthTests {
    @Test("answers 200 with the database state")
    func healthy() async throws {
        try await TestDatabase.with { db in
            let appended = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-1"))
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/health")
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
                let body = try response.json()
                #expect(body["status"] as? String == "ok")
                let database = try #require(body["database"] as? [String: Any])
                #expect(database["reachable"] as? Bool == true)
                #expect(database["schemaVersion"] as? Int == TestEnvironment.migrations.last?.version)
                #expect(database["schemaUpToDate"] as? Bool == true)
                #expect((database["headPosition"] as? NSNumber)?.int64Value == appended.position)
            }
        }
    }

    @Test("answers 503 when the schema is not migrated")
    func unmigrated() async throws {
        try await TestDatabase.with(migrated: false) { db in
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/health")
                #expect(response.status == 503)
                let body = try response.json()
                #expect(body["status"] as? String == "unavailable")
            }
        }
    }

    @Test("unknown routes are 404")
    func unknownRoute() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let response = try await server.http.request("GET", "/nope")
                #expect(response.status == 404)
            }
        }
    }

    @Test("answers 503 when the database is unreachable")
    func unreachable() async throws {
        try await Self.withServer(conninfo: "host=/nonexistent/loopline port=5999 dbname=x") { server, _ in
            let response = try await server.http.request("GET", "/health")
            #expect(response.status == 503)
            let database = try #require(try response.json()["database"] as? [String: Any])
            #expect(database["reachable"] as? Bool == false)
            #expect((database["error"] as? String)?.contains("could not connect") == true)
        }
    }

    @Test("answers 503 on its own timeout, without waiting, when the database accepts connections but never answers")
    func silentDatabase() async throws {
        let silent = try SilentListener()
        // connect_timeout=0: libpq waits for the server's answer for ever, so only the health
        // check's own timeout can produce a response.
        try await Self.withServer(conninfo: "host=127.0.0.1 port=\(silent.port) connect_timeout=0 dbname=x", release: silent.close) { server, client in
            for path in ["/health", "/ready"] {
                let response = try await server.http.request("GET", path)
                #expect(response.status == 503, "\(path)")
                #expect(response.text.contains("no answer within"), "\(path): \(response.text)")
            }
            // The abandoned connection attempts are still waiting: the answers did not wait for them.
            #expect(client.statistics.inUse > 0)
        }
    }

    /// A server whose store reaches PostgreSQL through `conninfo`. `release` runs after the
    /// server stops and before the client closes (which waits for its connection attempts).
    private static func withServer(
        conninfo: String, release: @Sendable () -> Void = {}, _ body: (TestServer, PostgresClient) async throws -> Void
    ) async throws {
        try await TestDatabase.with { db in
            let client = PostgresClient(configuration: .init(conninfo: conninfo, maxConnections: 4), logger: TestEnvironment.logger())
            let store = EventStore(client: client, logger: TestEnvironment.logger())
            let outcome: Result<Void, any Error>
            do {
                outcome = .success(try await TestServer.with(TestDatabase(name: db.name, client: client, store: store)) { server in
                    try await body(server, client)
                })
            } catch {
                outcome = .failure(error)
            }
            release()
            await client.close()
            try outcome.get()
        }
    }
}

/// A TCP port that completes connections (the kernel does, from the listen backlog) and never
/// says a word: a database that hangs. Closing it resets the connections waiting on it.
private final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw SubprocessError(message: "silent listener: errno \(errno)") }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
