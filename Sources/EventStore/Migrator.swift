public import Logging
public import Postgres

/// Applies the numbered SQL files of `schema/`, each exactly once, in a transaction, under an
/// advisory lock so concurrent runs are safe; records each with a checksum and refuses a
/// file that changed after it was applied.
public struct Migrator: Sendable {
    /// What the database holds compared with the files.
    public struct Status: Sendable, Hashable, Codable {
        /// The highest applied version, 0 for an empty database.
        public var currentVersion: Int
        /// The highest version among the files.
        public var latestVersion: Int
        /// Files not applied yet.
        public var pending: [String]
        public var isUpToDate: Bool { pending.isEmpty && currentVersion == latestVersion }
    }

    /// What a run did.
    public struct Report: Sendable, Hashable, Codable {
        public var applied: [String]
        public var schemaVersion: Int
    }

    /// Session lock taken around a run; class 1280068935 = 'LLMG'.
    static let lockSQL = "SELECT pg_advisory_lock(1280068935, 0)"
    static let unlockSQL = "SELECT pg_advisory_unlock(1280068935, 0)"
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """
    static let appliedSQL = """
        SELECT version, name, checksum, encode(sha256(convert_to($1, 'UTF8')), 'hex') FROM schema_migrations WHERE version = $2
        """
    static let recordSQL = """
        INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))
        """
    static let versionsSQL = "SELECT version, name FROM schema_migrations ORDER BY version"

    public let migrations: [Migration]
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what is missing; a no-op on an up-to-date database.
    public func migrate() async throws -> Report {
        let migrations = migrations
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try connection.execute(Self.lockSQL)
                defer { _ = try? connection.execute(Self.unlockSQL) }
                try connection.execute(Self.createTableSQL)
                try Self.refuseUnknownVersions(connection, known: migrations)
                var applied: [String] = []
                for migration in migrations where try !Self.isApplied(migration, connection) {
                    try Self.apply(migration, connection)
                    // Detail: the report names every file applied; `migrate --verbose` shows them as they go.
                    logger.debug("applied migration", metadata: ["loopline.migration": "\(migration.fileName)"])
                    applied.append(migration.fileName)
                }
                return Report(applied: applied, schemaVersion: migrations.last?.version ?? 0)
            }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    /// Compares the database with the files without changing anything.
    public func status() async throws -> Status {
        let migrations = migrations
        do {
            return try await client.withConnection { connection in
                let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].decode(0, as: Bool.self)
                let applied = exists ? try connection.query(Self.versionsSQL).column(0, as: Int.self) : []
                let appliedSet = Set(applied)
                return Status(
                    currentVersion: applied.last ?? 0, latestVersion: migrations.last?.version ?? 0,
                    pending: migrations.filter { !appliedSet.contains($0.version) }.map(\.fileName))
            }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    /// Throws unless every file is applied: servers refuse to start on an old schema.
    public func requireUpToDate() async throws {
        let status = try await status()
        if !status.pending.isEmpty {
            throw EventStoreError(
                .schemaMismatch,
                "the database schema is at version \(status.currentVersion) but this build needs \(status.latestVersion): run `loopline migrate` (pending: \(status.pending.joined(separator: ", ")))"
            )
        }
        if status.currentVersion > status.latestVersion {
            throw EventStoreError(
                .schemaMismatch,
                "the database schema is at version \(status.currentVersion), newer than this build knows (\(status.latestVersion)): upgrade loopline"
            )
        }
    }

    private static func isApplied(_ migration: Migration, _ connection: Connection) throws -> Bool {
        let result = try connection.query(appliedSQL, [migration.sql, migration.version])
        guard result.count == 1 else { return false }
        let row = result[0]
        let (recorded, current) = (try row.decode(2, as: String.self), try row.decode(3, as: String.self))
        guard recorded == current else {
            throw EventStoreError(
                .schemaMismatch,
                "schema/\(migration.fileName) changed after it was applied (checksum \(recorded.prefix(12)) in the database, \(current.prefix(12)) on disk): restore the original file and put the change in a new migration"
            )
        }
        return true
    }

    private static func apply(_ migration: Migration, _ connection: Connection) throws {
        do {
            try connection.withTransaction { connection in
                try connection.execute(migration.sql)
                try connection.query(recordSQL, [migration.version, migration.name, migration.sql])
            }
        } catch let error as PostgresError {
            throw EventStoreError(.schemaMismatch, "migration \(migration.fileName) failed and was rolled back: \(error)")
        }
    }

    private static func refuseUnknownVersions(_ connection: Connection, known: [Migration]) throws {
        let knownVersions = Set(known.map(\.version))
        for row in try connection.query(versionsSQL).rows {
            let version = try row.decode(0, as: Int.self)
            guard knownVersions.contains(version) else {
                throw EventStoreError(
                    .schemaMismatch,
                    "the database has migration \(version) (\(try row.decode(1, as: String.self))) that this build does not know: upgrade loopline"
                )
            }
        }
    }
}
