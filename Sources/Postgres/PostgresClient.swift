public import Logging
import NIOPosix
public import ServiceLifecycle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bounded pool of PostgreSQL connections, and the threads that block on them.
///
/// libpq blocks, so every database call runs on this client's own threads (one per
/// connection), never on the Swift concurrency pool or a NIO event loop. Callers hand over
/// a synchronous closure that does all the work of one unit (a query, or a whole
/// transaction) on a leased connection:
///
/// ```swift
/// let count = try await client.withConnection { connection in
///     try connection.query("SELECT count(*) FROM events")[0].decode(0, as: Int64.self)
/// }
/// ```
public final class PostgresClient: Sendable {
    /// How to reach PostgreSQL and how many connections to hold.
    public struct Configuration: Sendable {
        /// A libpq conninfo string or `postgresql://` URL. Empty means libpq's defaults and
        /// the standard `PG*` environment variables.
        public var conninfo: String
        /// The most connections opened at once (default 10).
        public var maxConnections: Int
        /// How long a caller waits for a free connection before failing (default 10 s).
        public var acquireTimeout: Duration
        /// Shown in `pg_stat_activity` unless the conninfo sets `application_name`.
        public var applicationName: String

        public init(
            conninfo: String = "", maxConnections: Int = 10, acquireTimeout: Duration = .seconds(10),
            applicationName: String = "loopline"
        ) {
            self.conninfo = conninfo
            self.maxConnections = maxConnections
            self.acquireTimeout = acquireTimeout
            self.applicationName = applicationName
        }

        /// `LOOPLINE_DATABASE_URL` if set, else the `PG*` variables libpq reads itself.
        public static func fromEnvironment(_ environment: [String: String]? = nil) -> Configuration {
            let environment = environment ?? ProcessInfo.processInfo.environment
            return Configuration(conninfo: environment["LOOPLINE_DATABASE_URL"] ?? "")
        }

        /// Where the conninfo points (host, port, database, user), never the password.
        public var targetDescription: String { ConnectionTarget.describe(conninfo: conninfo) }
    }

    public let configuration: Configuration
    private let pool: ConnectionPool
    private let threadPool: NIOThreadPool
    private let logger: Logger

    /// Creates the client; connections open lazily, on first use.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.pool = ConnectionPool(size: configuration.maxConnections, acquireTimeout: configuration.acquireTimeout)
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        threadPool.start()
    }

    /// The pool's current counts.
    public var statistics: PoolStatistics { pool.statistics }

    /// Leases a connection and runs `body` with it on a blocking thread.
    ///
    /// A broken connection is replaced on the next lease, so after a server restart the
    /// caller sees at most the one failure that revealed it. A connection left inside a
    /// transaction by `body` is rolled back before it returns to the pool.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let slot = try await pool.acquire()
        defer { pool.release(slot) }
        let configuration = configuration
        let logger = logger
        return try await threadPool.runIfActive {
            let connection = try Self.connection(in: slot, configuration: configuration, logger: logger)
            defer { Self.tidy(slot, logger: logger) }
            return try body(connection)
        }
    }

    /// Runs `body` in a transaction on a leased connection: committed when it returns,
    /// rolled back when it throws.
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withConnection { connection in try connection.withTransaction(body) }
    }

    /// Stops leasing, waits for leased connections to come back, closes them all.
    public func close() async {
        let slots = await pool.close()
        try? await threadPool.runIfActive {
            for slot in slots { slot.connection = nil }
        }
        try? await threadPool.shutdownGracefully()
    }

    /// The slot's connection, opened (or reopened, when the old one broke) on demand.
    private static func connection(
        in slot: ConnectionSlot, configuration: Configuration, logger: Logger
    ) throws -> Connection {
        if let existing = slot.connection {
            if existing.isAliveWhenIdle() { return existing }
            logger.info("replacing a broken database connection", metadata: ["loopline.db.pid": "\(existing.backendPID)"])
            slot.connection = nil
        }
        let connection = try Connection(conninfo: configuration.conninfo, applicationName: configuration.applicationName)
        logger.debug("opened a database connection", metadata: ["loopline.db.pid": "\(connection.backendPID)"])
        slot.connection = connection
        return connection
    }

    /// Drops a broken connection and rolls back a transaction left open.
    private static func tidy(_ slot: ConnectionSlot, logger: Logger) {
        guard let connection = slot.connection else { return }
        if connection.isOK && !connection.isIdle {
            _ = try? connection.execute("ROLLBACK")
        }
        if !connection.isOK || !connection.isIdle {
            slot.connection = nil
        }
    }
}

extension PostgresClient: Service {
    /// Keeps the client open until graceful shutdown, then closes it. Register it first in
    /// a `ServiceGroup`: services stop in reverse order, so it closes after its users.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
