public import EventStore
public import Foundation
public import Logging
public import Postgres

/// Where the test cluster and the project files are.
public enum TestEnvironment {
    /// The package root, found from this file's path.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let schemaDirectory = packageRoot.appendingPathComponent("schema")

    /// The files of `schema/` (migrations and object files), loaded once.
    public static let schemaFiles: SchemaFiles = {
        do { return try SchemaFiles.load(from: schemaDirectory) } catch { fatalError("cannot load schema/: \(error)") }
    }()

    /// The migrations of `schema/`.
    public static var migrations: [Migration] { schemaFiles.migrations }

    /// A logger for tests: warnings and errors only, unless LOOPLINE_TEST_LOG_LEVEL says otherwise.
    public static func logger(_ label: String = "loopline.test") -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["LOOPLINE_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        return logger
    }

    /// The conninfo for a database of the test cluster (`PGHOST`, `PGPORT`, `PGUSER` come
    /// from the environment `make test` sets up).
    public static func conninfo(database: String) -> String { "dbname=\(database)" }
}

/// A fresh database in the test cluster, so tests can run in parallel without seeing each
/// other's events. There is no fallback: if PostgreSQL is not there, the test fails.
public struct TestDatabase: Sendable {
    public let name: String
    public let client: PostgresClient
    public let store: EventStore

    public var conninfo: String { TestEnvironment.conninfo(database: name) }

    public init(name: String, client: PostgresClient, store: EventStore) {
        self.name = name
        self.client = client
        self.store = store
    }

    /// Creates a database (migrated unless told otherwise), runs `body`, then drops it.
    public static func with<T: Sendable>(
        migrated: Bool = true, maxConnections: Int = 12, _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let name = "loopline_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let admin = PostgresClient(
            configuration: .init(conninfo: TestEnvironment.conninfo(database: "postgres"), maxConnections: 1),
            logger: TestEnvironment.logger())
        try await admin.withConnection { connection in _ = try connection.execute("CREATE DATABASE \(name)") }
        let client = PostgresClient(
            configuration: .init(conninfo: TestEnvironment.conninfo(database: String(name)), maxConnections: maxConnections),
            logger: TestEnvironment.logger())
        let database = TestDatabase(
            name: String(name), client: client, store: EventStore(client: client, logger: TestEnvironment.logger()))
        let outcome: Result<T, any Error>
        do {
            if migrated {
                _ = try await Migrator(client: client, migrations: TestEnvironment.migrations, logger: TestEnvironment.logger())
                    .migrate()
            }
            outcome = .success(try await body(database))
        } catch {
            outcome = .failure(error)
        }
        await client.close()
        _ = try? await admin.withConnection { connection in
            _ = try connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        await admin.close()
        return try outcome.get()
    }

    /// Runs `body` while the store's notification relay runs, as in `loopline serve`.
    public func withStoreRunning<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let store = store
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
