public import Access
import Commands
public import EventStore
public import Foundation
import Logging
public import Postgres
import NIOCore
import Projections
public import Server
import ServiceLifecycle

/// The real application on free loopback ports (HTTP and socket) for the duration of `body`.
public struct TestServer: Sendable {
    public let http: RawHTTPClient
    public let socketPort: Int
    public let server: LooplineServer
    /// Where this server's sources' secrets key lives (a folder of its own per server).
    public let secretsKeyFile: String

    /// A token with these scopes.
    public func token(_ scopes: Set<Scope>, name: String = UUID().uuidString) async throws -> String {
        try await server.tokens.create(name: name, scopes: scopes).token
    }

    public static func with<T: Sendable>(
        _ db: TestDatabase, migrations: [Migration] = TestEnvironment.migrations, maximumBodyBytes: Int = 1 << 20,
        workers: Bool = false, readClient: PostgresClient? = nil, readWait: Duration = .seconds(5),
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let migrator = Migrator(client: db.client, migrations: migrations, logger: TestEnvironment.logger())
        let keyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("loopline-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: keyDirectory) }
        let secretsKeyFile = keyDirectory.appendingPathComponent("secrets.key").path
        let server = LooplineServer(
            configuration: ServerConfiguration(
                http: .init(host: "127.0.0.1", port: 0), socket: .init(host: "127.0.0.1", port: 0),
                maximumBodyBytes: maximumBodyBytes, secretsKeyFile: secretsKeyFile, streamHeartbeat: .milliseconds(300),
                readWait: readWait),
            store: db.store, migrator: migrator,
            handler: CommandHandler(store: db.store, logger: TestEnvironment.logger()),
            workers: workers
                ? try ProjectionService(
                    files: TestEnvironment.schemaFiles, store: db.store, client: db.client,
                    options: ProjectionOptions(lease: .seconds(2), renewEvery: .milliseconds(300), claimEvery: .milliseconds(100)),
                    logger: TestEnvironment.logger())
                : nil,
            readStore: readClient.map { EventStore(client: $0, logger: TestEnvironment.logger()) }, logger: TestEnvironment.logger())
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let app = server.application(
            onHTTPBound: { channel in continuation.yield(("http", channel.localAddress?.port ?? 0)) },
            onSocketBound: { address in continuation.yield(("socket", address.port ?? 0)) })
        let running = Task {
            // If the server stops before both ports are bound, say why instead of waiting forever.
            defer { continuation.finish() }
            try await app.run()
        }
        defer { running.cancel() }
        var bound: [String: Int] = [:]
        for await (kind, port) in ports {
            bound[kind] = port
            if bound.count == 2 { break }
        }
        guard let httpPort = bound["http"], let socketPort = bound["socket"], httpPort > 0, socketPort > 0 else {
            let failure = await running.result
            throw TimeoutError(what: "the server's ports (bound: \(bound), server ended: \(failure))")
        }
        return try await body(
            TestServer(http: RawHTTPClient(port: httpPort), socketPort: socketPort, server: server, secretsKeyFile: secretsKeyFile))
    }
}
