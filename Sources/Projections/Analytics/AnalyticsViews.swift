public import EventStore
public import Postgres

/// The `analytics` schema: stable views over the log and the read models for Grafana,
/// Metabase or a notebook, read through a read-only role. The views and the functions they use
/// are files of `schema/` (`views/`, `functions/`), run with `search_path` set to the schema.
///
/// A view is bound to the tables it reads, not to their names, so a rebuild or a replay swap
/// (which replace a read model's tables) drops the views over them. The runtime therefore
/// recreates the views in the same transaction that replaces the tables: a reader never sees
/// them missing, and the grants of reader roles are renewed with them.
public enum AnalyticsViews {
    /// The schema, created by migration 0006.
    public static let schema = "analytics"

    /// The log itself, with the service and team its events concern: always there.
    static let events = SchemaFile.view("events")

    /// The functions the views use, created (or replaced) before them.
    static let functions = [SchemaFile.function("step_hours")]

    /// Every file a refresh runs.
    public static var files: [SchemaFile] { functions + [events] + AnalyticsDataset.all.map(\.viewFile) }

    /// Recreates every view whose read models exist, and renews reader roles' grants. Runs in
    /// the caller's transaction (the one that replaced tables, or its own).
    public static func refresh(_ files: SchemaFiles, on connection: Connection) throws {
        // One refresher at a time: two processes rebuilding at once would race on the views.
        _ = try connection.execute("SELECT pg_advisory_xact_lock(hashtext('loopline.analytics.views'))")
        let present = Set(try connection.query(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)",
            [PostgresTextArray(Set(AnalyticsDataset.all.flatMap(\.projections)).sorted())]
        ).column(0, as: String.self))
        // The files name what they create unqualified; they reach other schemas by full names.
        let searchPath = try connection.query("SELECT current_setting('search_path')")[0].decode(0, as: String.self)
        _ = try connection.execute("SET LOCAL search_path TO \(try connection.quoteIdentifier(schema))")
        for function in functions { _ = try connection.execute(try files.sql(function)) }
        try replace(events, files, on: connection)
        for dataset in AnalyticsDataset.all {
            guard dataset.projections.allSatisfy(present.contains) else {
                _ = try connection.execute("DROP VIEW IF EXISTS \(try qualified(dataset.view, connection))")
                continue
            }
            try replace(dataset.viewFile, files, on: connection)
        }
        _ = try connection.query("SELECT set_config('search_path', $1, true)", [searchPath])
        for reader in try readers(connection) {
            _ = try connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(try connection.quoteIdentifier(reader))")
        }
    }

    /// Runs `refresh` in a transaction of its own.
    public static func refresh(_ files: SchemaFiles, client: PostgresClient) async throws {
        try await client.withConnection { connection in try connection.withTransaction { try refresh(files, on: $0) } }
    }

    /// Creates (or updates) a login role that can read the analytics views and nothing else:
    /// no other schema's tables, and every transaction read-only. The password, when given,
    /// is hashed here, so it reaches neither the server's logs nor `pg_stat_activity`.
    public static func grantReader(_ role: String, password: String?, files: SchemaFiles, client: PostgresClient) async throws {
        try await client.withConnection { connection in
            try connection.withTransaction { connection in
                let quoted = try connection.quoteIdentifier(role)
                let existing = try connection.query("SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = $1", [role])
                if let row = existing.rows.first, try row.decode(0, as: Bool.self) {
                    throw AnalyticsError(code: "privileged_role", message: "\(role) is a privileged role; give a new name for the read-only role")
                }
                let secret = try password.map { " PASSWORD \(try connection.quoteLiteral(try connection.encryptPassword($0, role: role)))" } ?? ""
                _ = try connection.execute(existing.count == 0 ? "CREATE ROLE \(quoted) LOGIN\(secret)" : "ALTER ROLE \(quoted) LOGIN\(secret)")
                let database = try connection.quoteIdentifier(try connection.query("SELECT current_database()")[0].decode(0, as: String.self))
                _ = try connection.execute("""
                    ALTER ROLE \(quoted) SET default_transaction_read_only = on;
                    GRANT CONNECT ON DATABASE \(database) TO \(quoted);
                    GRANT USAGE ON SCHEMA \(schema) TO \(quoted)
                    """)
                try refresh(files, on: connection)
            }
        }
    }

    /// The views that exist now, with their comments.
    public static func list(client: PostgresClient) async throws -> [(view: String, summary: String)] {
        try await client.withConnection { connection in
            try connection.query(
                """
                SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'v' ORDER BY c.relname
                """, [schema]
            ).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }
        }
    }

    /// Drops the view and runs its file. Dropped, not replaced: CREATE OR REPLACE refuses a view
    /// whose columns changed.
    private static func replace(_ view: SchemaFile, _ files: SchemaFiles, on connection: Connection) throws {
        let sql = try files.sql(view)
        _ = try connection.execute("DROP VIEW IF EXISTS \(try qualified(view.name, connection))")
        _ = try connection.execute(sql)
    }

    /// Roles granted the schema (other than the owner and superusers): the readers.
    private static func readers(_ connection: Connection) throws -> [String] {
        try connection.query(
            """
            SELECT rolname FROM pg_roles
             WHERE rolname <> current_user AND NOT rolsuper AND rolname NOT LIKE 'pg\\_%'
               AND has_schema_privilege(oid, $1, 'USAGE')
            """, [schema]
        ).column(0, as: String.self)
    }

    private static func qualified(_ view: String, _ connection: Connection) throws -> String {
        "\(try connection.quoteIdentifier(schema)).\(try connection.quoteIdentifier(view))"
    }
}

/// An analytics request that cannot be done as asked; `code` is stable.
public struct AnalyticsError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var description: String { message }
}
