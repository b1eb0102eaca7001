public import Foundation
import Postgres

extension EventStore {
    /// The most events one read returns.
    public static let maximumReadLimit = 10_000

    static let columns =
        "global_position, event_id, stream_id, stream_version, type, schema_version, data::text, metadata::text, recorded_at"
    /// The same without the metadata (`{}` in its place): what projections read.
    static let columnsWithoutMetadata =
        "global_position, event_id, stream_id, stream_version, type, schema_version, data::text, '{}'::text, recorded_at"
    static let streamSQL = """
        SELECT \(columns) FROM events
        WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3
        """
    /// Log order between two positions, optionally one category ($4) and some types ($5);
    /// one statement per filter combination, so each gets a plan that fits it.
    static func rangeSQL(category: Bool, types: Bool, metadata: Bool = true) -> String {
        var sql = "SELECT \(metadata ? columns : columnsWithoutMetadata) FROM events WHERE global_position > $1 AND global_position <= $2"
        if category { sql += " AND category = $4" }
        if types { sql += " AND type = ANY($\(category ? 5 : 4)::text[])" }
        return sql + " ORDER BY global_position LIMIT $3"
    }
    static let byIdsSQL = """
        SELECT \(columns) FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position
        """

    /// A stream's events with versions above `afterVersion`, in order. Streams are written
    /// one append at a time, so a stream read never has gaps to worry about.
    public func read(stream: StreamName, afterVersion: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        let limit = try Self.checkedLimit(limit)
        return try await query(Self.streamSQL, [stream.rawValue, afterVersion, limit])
    }

    /// The events with these ids that are recorded, in log order.
    public func events(withIds ids: [UUID]) async throws -> [RecordedEvent] {
        try await query(Self.byIdsSQL, [PostgresTextArray(ids.map(\.lowercasedString))])
    }

    /// Events after `position` in log order, up to the safe horizon: never one that a
    /// still-running append could yet precede. Empty when nothing new is safe to read.
    public func readAll(after position: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        try await read(after: position, limit: limit).events
    }

    /// Like `readAll`, only the events of one category (`story`, `build`, ...).
    public func read(category: String, after position: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        try await read(after: position, limit: limit, filter: try EventFilter(category: category)).events
    }

    /// One page of the log after `position`, filtered, and where the next page starts: past
    /// the last event, or further when the rest of the safe range held nothing that matched.
    /// Without `metadata` each event's metadata reads `{}` (a replay has no use for it).
    public func read(
        after position: Int64, limit: Int, filter: EventFilter = EventFilter(), metadata: Bool = true
    ) async throws -> LogPage {
        let batch = try await readBatch(
            after: position, limit: try Self.checkedLimit(limit), filter: filter, fresh: true, metadata: metadata)
        return LogPage(events: batch.events, next: batch.through)
    }

    /// Reads the next safe events after `position`, and how far the caller can move its
    /// position: past the events returned, or up to the horizon when fewer than `limit`
    /// were left (stepping over positions that will never be filled).
    ///
    /// `fresh` judges the horizon anew; otherwise a cached horizon ahead of `position` is
    /// used as it is (followers come back for more anyway).
    func readBatch(
        after position: Int64, limit: Int, filter: EventFilter, fresh: Bool, metadata: Bool = true
    ) async throws -> (events: [RecordedEvent], through: Int64) {
        var safe = horizon.safePosition
        if fresh || safe <= position { safe = try await horizon.refresh() }
        guard safe > position else { return ([], position) }
        var parameters: [(any PostgresEncodable)?] = [position, safe, limit]
        if let category = filter.category { parameters.append(category) }
        if !filter.types.isEmpty { parameters.append(PostgresTextArray(filter.types)) }
        let events = try await query(
            Self.rangeSQL(category: filter.category != nil, types: !filter.types.isEmpty, metadata: metadata), parameters)
        return (events, events.count == limit ? events.last!.position : safe)
    }

    private func query(_ sql: String, _ parameters: [(any PostgresEncodable)?]) async throws -> [RecordedEvent] {
        do {
            return try await client.withConnection { connection in
                try connection.query(sql, parameters).rows.map { try Self.decodeRecorded($0) }
            }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    /// An event from the nine `columns`, starting at column `first`.
    static func decodeRecorded(_ row: Row, from first: Int = 0) throws -> RecordedEvent {
        RecordedEvent(
            position: try row.decode(first), eventId: try row.decode(first + 1), stream: try row.decode(first + 2),
            streamVersion: try row.decode(first + 3), type: try row.decode(first + 4), schemaVersion: try row.decode(first + 5),
            data: try row.decode(first + 6), metadata: try row.decode(first + 7), recordedAt: try row.decode(first + 8))
    }

    static func checkedLimit(_ limit: Int) throws(EventStoreError) -> Int {
        guard (1...maximumReadLimit).contains(limit) else {
            throw EventStoreError(.invalidArgument, "limit must be between 1 and \(maximumReadLimit), not \(limit)", field: "limit")
        }
        return limit
    }
}

extension EventStore {
    /// The highest position below which the log is final: every event up to it is committed
    /// or will never be, so a reader that stops here misses nothing (exports end here).
    ///
    /// Judged on one connection from a bound below every running append, not by this
    /// process's shared horizon: that one walks the log from where it last stood, which in a
    /// fresh process is the start, and under steady appends it never stands still.
    public func safePosition() async throws -> Int64 {
        do {
            return try await client.withConnection { connection in try Self.judgeSafePosition(connection) }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    /// Whether the event at `position` is committed and visible here (on a replica: replayed).
    public func contains(position: Int64) async throws(EventStoreError) -> Bool {
        try await Self.mappingAll {
            try await client.withConnection { connection in
                try connection.query("SELECT EXISTS (SELECT 1 FROM events WHERE global_position = $1::bigint)", [position])[0]
                    .decode(0, as: Bool.self)
            }
        }
    }

    /// The highest committed position (0 for an empty log).
    public func headPosition() async throws(EventStoreError) -> Int64 {
        try await Self.mappingAll {
            try await client.withConnection { connection in try connection.query(Self.headSQL)[0].decode(0, as: Int64.self) }
        }
    }
}
