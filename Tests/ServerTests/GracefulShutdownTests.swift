import Access
import Commands
import EventStore
import Foundation
import Logging
import LooplineTestSupport
import NIOCore
import Postgres
import Server
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("on shutdown, commands in flight over HTTP and the socket finish, then the server stops")
    func commandsInFlightFinish() async throws {
        try await TestDatabase.with { db in
            let unixPath = NSTemporaryDirectory() + "loopline-shutdown-\(UUID().uuidString.prefix(8)).sock"
            defer { unlink(unixPath) }
            // The server gets a client of its own: shutting down closes it.
            let client = PostgresClient(configuration: .init(conninfo: db.conninfo), logger: TestEnvironment.logger())
            let store = EventStore(client: client, logger: TestEnvironment.logger())
            let migrator = Migrator(client: client, migrations: TestEnvironment.migrations, logger: TestEnvironment.logger())
            let server = LooplineServer(
                configuration: ServerConfiguration(
                    http: .init(host: "127.0.0.1", port: 0), socket: .init(host: "127.0.0.1", port: 0), unixSocket: unixPath),
                store: store, migrator: migrator, handler: CommandHandler(store: store, logger: TestEnvironment.logger()),
                logger: TestEnvironment.logger())
            let token = try await server.tokens.create(name: "shutdown", scopes: [.ingest]).token
            let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
            let app = server.application(
                onHTTPBound: { continuation.yield(("http", $0.localAddress?.port ?? 0)) },
                onSocketBound: { continuation.yield(($0.port == nil ? "unix" : "socket", $0.port ?? 0)) })
            let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: TestEnvironment.logger())
            let running = Task { try await group.run() }
            var bound: [String: Int] = [:]
            for await (kind, port) in ports {
                bound[kind] = port
                if bound.count == 3 { break }
            }

            // Hold the lock the appends of these two stories need, so they stay in flight.
            let holder = PostgresClient(configuration: .init(conninfo: db.conninfo, maxConnections: 1), logger: TestEnvironment.logger())
            let locked = Flag()
            let release = Flag()
            let holding = Task {
                try await holder.withConnection { connection in
                    try connection.query("SELECT pg_advisory_lock(1280070740, hashtext('story-SLOW-1'))")
                    try connection.query("SELECT pg_advisory_lock(1280070740, hashtext('story-SLOW-2'))")
                    locked.set()
                    while !release.isSet { usleep(10_000) }
                    try connection.query("SELECT pg_advisory_unlock_all()")
                }
            }
            try await locked.wait()

            let http = RawHTTPClient(port: bound["http"]!)
            let viaHTTP = Task {
                try await http.request(
                    "POST", "/v1/commands/create-story",
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                    body: Data(#"{"storyId": "SLOW-1", "title": "In flight", "service": "checkout"}"#.utf8))
            }
            let socket = try LineSocket(port: bound["socket"]!)
            try socket.send(line: #"{"id": 1, "op": "auth", "token": "\#(token)"}"#)
            _ = try await socket.readObject()
            try socket.send(line: #"{"id": 2, "op": "command", "name": "create-story", "data": {"storyId": "SLOW-2", "title": "In flight", "service": "checkout"}}"#)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await db.eventCount() == 0, "both commands are waiting for the lock")

            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(300))
            release.set()

            let response = try await viaHTTP.value
            #expect(response.status == 201, "the HTTP command finished: \(response.text)")
            let reply = try await socket.readObject()
            #expect(reply["id"] as? Int == 2)
            #expect(reply["ok"] as? Bool == true, "the socket command finished: \(reply)")
            try await running.value
            try await holding.value
            await holder.close()
            #expect(try await db.eventCount() == 2)
            // Checked on the Unix socket: a TCP port may already be reused by a parallel test.
            #expect(throws: (any Error).self, "nothing listens any more") { _ = try LineSocket(path: unixPath) }
        }
    }
}
