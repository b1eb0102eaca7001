import EventStore
import Foundation
import Postgres

/// The `projections` table: checkpoints, leases and failures, one row per projection.
struct ProjectionTable: Sendable {
    let client: PostgresClient
    /// Where a rebuild's tables, indexes and views come from.
    let files: SchemaFiles

    /// Where a projection stands once claimed.
    struct Claim: Sendable {
        var version: Int
        var position: Int64
        /// Whether the projection's schema exists (false on a first run or after a crash mid-rebuild).
        var hasSchema: Bool
    }

    /// Takes (or renews) the lease when nobody else holds a live one; nil when another owner
    /// holds it or the projection has failed.
    func claim(_ name: String, version: Int, owner: String, lease: Duration) async throws -> Claim? {
        try await client.withConnection { connection in
            let rows = try connection.query(
                """
                INSERT INTO projections AS p (name, version, owner, lease_until)
                VALUES ($1, $2, $3, now() + $4::interval)
                ON CONFLICT (name) DO UPDATE SET owner = $3, lease_until = now() + $4::interval, updated_at = now()
                 WHERE p.state = 'running' AND (p.owner IS NULL OR p.owner = $3 OR p.lease_until < now())
                RETURNING version, position, to_regnamespace(name) IS NOT NULL
                """,
                [name, version, owner, Self.interval(lease)]
            ).rows
            guard let row = rows.first else { return nil }
            return Claim(version: try row.decode(0), position: try row.decode(1), hasSchema: try row.decode(2))
        }
    }

    /// Extends the lease; false when it was lost (another worker took over, or a replay reset it).
    func renew(_ name: String, owner: String, lease: Duration) async throws -> Bool {
        try await client.withConnection { connection in
            try connection.query(
                "UPDATE projections SET lease_until = now() + $3::interval WHERE name = $1 AND owner = $2 AND state = 'running'",
                [name, owner, Self.interval(lease)]
            ).affectedRows == 1
        }
    }

    /// Gives the lease up, so another worker can take over at once.
    func release(_ name: String, owner: String) async throws {
        try await client.withConnection { connection in
            _ = try connection.query(
                "UPDATE projections SET owner = NULL, lease_until = NULL WHERE name = $1 AND owner = $2", [name, owner])
        }
    }

    /// Drops and recreates the projection's tables, empty, at position 0 and `version`.
    func rebuild(_ projection: any Projection, owner: String) async throws {
        let files = files
        let tables = try files.sql(projection.tablesFile)
        let indexes = try projection.indexesFile.map(files.sql)
        try await client.withConnection { connection in
            try connection.withTransaction { connection in
                // Locks the row: a concurrent takeover waits, and sees the rebuilt state.
                let owned = try connection.query(
                    "SELECT 1 FROM projections WHERE name = $1 AND owner = $2 FOR UPDATE", [projection.name, owner]
                ).rows.count == 1
                guard owned else { throw ProjectionLeaseLost(name: projection.name) }
                let schema = try connection.quoteIdentifier(projection.name)
                _ = try connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
                _ = try connection.execute("CREATE SCHEMA \(schema)")
                _ = try connection.query(
                    """
                    UPDATE projections SET version = $2, position = 0, position_recorded_at = NULL, last_error = NULL,
                           updated_at = now()
                     WHERE name = $1
                    """, [projection.name, projection.version])
                _ = try connection.execute("SET LOCAL search_path TO \(schema)")
                _ = try connection.execute(tables)
                if let indexes { _ = try connection.execute(indexes) }
                _ = try connection.execute("SET LOCAL search_path TO DEFAULT")
                // The drop took the analytics views over these tables with it.
                try AnalyticsViews.refresh(files, on: connection)
            }
        }
    }

    /// Stops a projection at an event it cannot apply, keeping what it applied before.
    func fail(_ name: String, owner: String, error: ProjectionFailure) async throws {
        try await client.withConnection { connection in
            _ = try connection.query(
                """
                UPDATE projections SET state = 'failed', owner = NULL, lease_until = NULL, last_error = $3::jsonb,
                       updated_at = now()
                 WHERE name = $1 AND owner = $2
                """, [name, owner, error.json])
        }
    }

    /// The statement that moves the checkpoint, first in every transaction that writes the
    /// read model: it fails (SQLSTATE LL001) unless `owner` still owns the projection at `from`.
    static func advance(
        _ name: String, owner: String, from: Int64, to: Int64, recordedAt: Date?, lease: Duration
    ) -> Statement {
        Statement(
            "SELECT projection_advance($1, $2, $3, $4, $5, $6::interval)",
            [name, owner, from, to, recordedAt, interval(lease)])
    }

    static func interval(_ duration: Duration) -> String {
        "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000) milliseconds"
    }
}

/// Another worker owns the projection now (or a replay reset it): stop writing.
struct ProjectionLeaseLost: Error {
    var name: String
}
