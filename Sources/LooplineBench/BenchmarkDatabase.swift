import EventStore
import Foundation
import Logging
import Postgres

/// A fresh database per measurement, so every run starts from empty tables and indexes:
/// the log (migrated) and `bench_raw`, a plain table of exactly the same shape for pgbench.
struct BenchmarkDatabase {
    let name: String
    let client: PostgresClient
    let store: EventStore

    static let rawTableSQL = """
        CREATE SEQUENCE bench_raw_position_seq;
        CREATE TABLE bench_raw (LIKE events INCLUDING ALL);
        ALTER TABLE bench_raw ALTER COLUMN global_position SET DEFAULT nextval('bench_raw_position_seq');
        """

    static func create(
        label: String, migrations: [Migration], maxConnections: Int, logger: Logger
    ) async throws -> BenchmarkDatabase {
        let name = "bench_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        try await admin(logger: logger) { connection in
            _ = try connection.execute("CREATE DATABASE \(name)")
        }
        let client = PostgresClient(
            configuration: .init(conninfo: "dbname=\(name)", maxConnections: maxConnections, applicationName: "loopline-bench"),
            logger: logger)
        _ = try await Migrator(client: client, migrations: migrations, logger: logger).migrate()
        try await client.withConnection { connection in _ = try connection.execute(rawTableSQL) }
        return BenchmarkDatabase(name: name, client: client, store: EventStore(client: client, logger: logger))
    }

    /// The same database through a new pool (for a server, which closes its pool when it stops).
    func reconnected(maxConnections: Int, logger: Logger) -> BenchmarkDatabase {
        let client = PostgresClient(
            configuration: .init(conninfo: "dbname=\(name)", maxConnections: maxConnections, applicationName: "loopline-bench"), logger: logger)
        return BenchmarkDatabase(name: name, client: client, store: EventStore(client: client, logger: logger))
    }

    func drop(logger: Logger) async {
        await client.close()
        let name = name
        try? await Self.admin(logger: logger) { connection in
            _ = try connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    func rows(in table: String) async throws -> Int {
        try await client.withConnection { connection in
            try connection.query("SELECT count(*) FROM \(table)")[0].decode(0, as: Int.self)
        }
    }

    private static func admin(logger: Logger, _ body: @escaping @Sendable (Connection) throws -> Void) async throws {
        let admin = PostgresClient(configuration: .init(conninfo: "dbname=postgres", maxConnections: 1), logger: logger)
        defer { Task { await admin.close() } }
        try await admin.withConnection(body)
    }
}

/// A JSON payload of about 600 bytes, the size the baseline figures assume.
enum Payload {
    static let data: String = {
        let filler = String(repeating: "x", count: 460)
        return #"{"service": "checkout", "team": "payments", "sha": "9fceb02d0ae598e95dc970b74767f19372d61af8", "note": "\#(filler)"}"#
    }()
}
