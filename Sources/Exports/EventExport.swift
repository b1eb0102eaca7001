public import EventStore
public import Foundation
public import Postgres

/// `loopline export events`: the log as CSV or JSON Lines, streamed by PostgreSQL's
/// `COPY … TO STDOUT` in constant memory.
///
/// An export covers the positions after `since` up to the log's safe position when it
/// starts (no event below it can still appear), so the next export from that position has no
/// gap and no duplicate, however many writers keep appending.
public struct EventExport: Sendable {
    public enum Format: String, Sendable, CaseIterable, Codable {
        case csv, jsonl
    }

    public var format: Format
    /// Export the events after this position (0: from the beginning).
    public var since: Int64
    /// Only these event types (empty: all).
    public var types: [String]

    public init(format: Format, since: Int64 = 0, types: [String] = []) {
        self.format = format
        self.since = since
        self.types = types
    }

    /// The columns, in order: the log's public contract (see docs/exports.md).
    public static let columns = [
        "global_position", "event_id", "stream_id", "stream_version", "type", "schema_version", "data", "metadata",
        "recorded_at",
    ]

    /// Streams the export to `write`, chunk by chunk, and returns what it covered.
    public func run(store: EventStore, client: PostgresClient, write: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void)
        async throws -> ExportManifest
    {
        let through = max(since, try await store.safePosition())
        let rows = try await copy(through: through, client: client, write: write)
        return ExportManifest(
            export: "events", format: format.rawValue, afterPosition: since, throughPosition: through, rows: Int(rows),
            createdAt: Date())
    }

    /// Streams the events in (since, through] to `write`; returns how many.
    public func copy(through: Int64, client: PostgresClient, write: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void)
        async throws -> Int64
    {
        let (since, types, sql) = (since, types, copySQL)
        return try await client.withConnection { connection in
            try connection.withTransaction { connection in
                // COPY takes no parameters: the bounds and filters travel as transaction-local
                // settings, set with parameters, and the query reads them back.
                _ = try connection.query(
                    """
                    SELECT set_config('loopline.export_since', $1, true), set_config('loopline.export_through', $2, true),
                           set_config('loopline.export_types', $3, true)
                    """, [String(since), String(through), PostgresTextArray(types).postgresText])
                return try connection.copyOut(sql, write)
            }
        }
    }

    var copySQL: String {
        let filter = """
            FROM events
            WHERE global_position > current_setting('loopline.export_since')::bigint
              AND global_position <= current_setting('loopline.export_through')::bigint
              AND (cardinality(current_setting('loopline.export_types')::text[]) = 0
                   OR type = ANY(current_setting('loopline.export_types')::text[]))
            ORDER BY global_position
            """
        // Times as ISO 8601 in UTC (the connection's time zone) via their JSON form.
        switch format {
        case .csv:
            return """
                COPY (SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                             to_json(recorded_at) #>> '{}' AS recorded_at
                      \(filter)) TO STDOUT WITH (FORMAT csv, HEADER true)
                """
        case .jsonl:
            // CSV with a quote and a delimiter that JSON text never holds raw: every line as is.
            return """
                COPY (SELECT json_build_object('position', global_position, 'eventId', event_id, 'stream', stream_id,
                                               'streamVersion', stream_version, 'type', type, 'schemaVersion', schema_version,
                                               'data', data, 'metadata', metadata, 'recordedAt', recorded_at)::text
                      \(filter)) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')
                """
        }
    }
}

/// What an export covered, written beside it: the next incremental export starts after
/// `throughPosition`.
public struct ExportManifest: Sendable, Codable, Hashable {
    public var export: String
    public var format: String
    /// The export holds the events with positions in (afterPosition, throughPosition].
    public var afterPosition: Int64
    public var throughPosition: Int64
    public var rows: Int
    public var createdAt: Date
}
