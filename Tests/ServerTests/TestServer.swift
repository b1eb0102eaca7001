import EventStore
import Foundation
import Logging
import LooplineTestSupport
import NIOCore
import Server
import ServiceLifecycle

/// Runs the real application on a free loopback port for the duration of `body`.
enum TestServer {
    static func with<T: Sendable>(
        _ db: TestDatabase, migrations: [Migration] = TestEnvironment.migrations,
        _ body: (RawHTTPClient) async throws -> T
    ) async throws -> T {
        let migrator = Migrator(client: db.client, migrations: migrations, logger: TestEnvironment.logger())
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0), store: db.store, migrator: migrator,
            logger: TestEnvironment.logger()
        ) { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }
        let running = Task { try await app.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw TestServerError.noPort }
        return try await body(RawHTTPClient(port: port))
    }

    enum TestServerError: Error { case noPort }
}
