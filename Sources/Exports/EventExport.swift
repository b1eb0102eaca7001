import Postgres

/// The log as CSV, JSON Lines or CloudEvents, streamed by PostgreSQL's `COPY … TO STDOUT`.
///
/// An export covers the positions after `since` up to the log's safe position when it
/// starts (no event below it can still appear), so the next export from that position has no
/// gap and no duplicate, however many writers keep appending.
struct EventExport: Sendable {
    let request: ExportRequest

    /// The CSV columns, in order: the log's public contract (see docs/exports.md).
    static let columns = [
        "global_position", "event_id", "stream_id", "stream_version", "type", "schema_version", "data", "metadata",
        "recorded_at",
    ]

    /// Streams the events in (since, through] that pass the filters; returns how many.
    func copy(through: Int64, client: PostgresClient, write: @escaping Exporter.Write) async throws -> Int64 {
        let (filters, sql, format) = (request.filters, copySQL, request.format)
        return try await client.withConnection { connection in
            try connection.withTransaction { connection in
                try filters.apply(on: connection, through: through)
                guard format == .csv else { return try connection.copyOut(sql, write) }
                try Self.header.withUnsafeBytes { try write($0) }
                return try connection.copyOut(sql) { row in try TimestampTail.rewrite(row, to: write) }
            }
        }
    }

    /// The CSV header row, written here rather than by COPY: every row COPY sends is then an
    /// event whose timestamp `TimestampTail` rewrites.
    static let header = Array((columns.joined(separator: ",") + "\n").utf8)

    var copySQL: String {
        let conditions = ["global_position > \(ExportFilters.setting("since", as: "bigint"))", "global_position <= \(ExportFilters.setting("through", as: "bigint"))"]
            + request.filters.conditions(position: nil, time: "recorded_at", service: "data->>'service'", team: "data->>'team'")
        let rows = "FROM events WHERE \(conditions.joined(separator: " AND ")) ORDER BY global_position"
        switch request.format {
        case .csv:
            return """
                COPY (SELECT global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata,
                             recorded_at \(rows)) TO STDOUT WITH (FORMAT csv)
                """
        case .jsonl:
            return ExportSQL.lines("""
                json_build_object('position', global_position, 'eventId', event_id, 'stream', stream_id,
                                  'streamVersion', stream_version, 'type', type, 'schemaVersion', schema_version,
                                  'data', data, 'metadata', metadata, 'recordedAt', \(ExportSQL.utc("recorded_at")))
                """, rows)
        case .cloudevents:
            return ExportSQL.lines(CloudEvents.rowSQL, rows)
        }
    }
}
