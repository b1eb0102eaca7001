import Postgres

extension EventStore {
    /// The most events one read returns.
    public static let maximumReadLimit = 10_000

    static let columns =
        "global_position, event_id, stream_id, stream_version, type, schema_version, data::text, metadata::text, recorded_at"
    static let streamSQL = """
        SELECT \(columns) FROM events
        WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3
        """
    static let rangeSQL = """
        SELECT \(columns) FROM events
        WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position LIMIT $3
        """
    static let categoryRangeSQL = """
        SELECT \(columns) FROM events
        WHERE category = $4 AND global_position > $1 AND global_position <= $2 ORDER BY global_position LIMIT $3
        """

    /// A stream's events with versions above `afterVersion`, in order. Streams are written
    /// one append at a time, so a stream read never has gaps to worry about.
    public func read(stream: StreamName, afterVersion: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        let limit = try Self.checkedLimit(limit)
        return try await query(Self.streamSQL, [stream.rawValue, afterVersion, limit])
    }

    /// Events after `position` in log order, up to the safe horizon: never one that a
    /// still-running append could yet precede. Empty when nothing new is safe to read.
    public func readAll(after position: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        try await readBatch(after: position, limit: try Self.checkedLimit(limit), category: nil, fresh: true).events
    }

    /// Like `readAll`, only the events of one category (`story`, `build`, ...).
    public func read(category: String, after position: Int64 = 0, limit: Int = 1000) async throws -> [RecordedEvent] {
        guard StreamName.isCategory(Substring(category)) else {
            throw EventStoreError(.invalidStream, "category \(StreamName.quoted(category)) is not a valid category", field: "category")
        }
        return try await readBatch(after: position, limit: try Self.checkedLimit(limit), category: category, fresh: true).events
    }

    /// Reads the next safe events after `position`, and how far the caller can move its
    /// position: past the events returned, or up to the horizon when fewer than `limit`
    /// were left (stepping over positions that will never be filled).
    ///
    /// `fresh` judges the horizon anew; otherwise a cached horizon ahead of `position` is
    /// used as it is (followers come back for more anyway).
    func readBatch(
        after position: Int64, limit: Int, category: String?, fresh: Bool
    ) async throws -> (events: [RecordedEvent], through: Int64) {
        var safe = horizon.safePosition
        if fresh || safe <= position { safe = try await horizon.refresh() }
        guard safe > position else { return ([], position) }
        let events: [RecordedEvent]
        if let category {
            events = try await query(Self.categoryRangeSQL, [position, safe, limit, category])
        } else {
            events = try await query(Self.rangeSQL, [position, safe, limit])
        }
        return (events, events.count == limit ? events.last!.position : safe)
    }

    private func query(_ sql: String, _ parameters: [(any PostgresEncodable)?]) async throws -> [RecordedEvent] {
        do {
            return try await client.withConnection { connection in
                try connection.query(sql, parameters).rows.map(Self.decodeRecorded)
            }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    static func decodeRecorded(_ row: Row) throws -> RecordedEvent {
        RecordedEvent(
            position: try row.decode(0), eventId: try row.decode(1), stream: try row.decode(2),
            streamVersion: try row.decode(3), type: try row.decode(4), schemaVersion: try row.decode(5),
            data: try row.decode(6), metadata: try row.decode(7), recordedAt: try row.decode(8))
    }

    static func checkedLimit(_ limit: Int) throws(EventStoreError) -> Int {
        guard (1...maximumReadLimit).contains(limit) else {
            throw EventStoreError(.invalidArgument, "limit must be between 1 and \(maximumReadLimit), not \(limit)", field: "limit")
        }
        return limit
    }
}

extension EventStore {
    /// The highest committed position (0 for an empty log).
    public func headPosition() async throws -> Int64 {
        try await client.withConnection { connection in
            try connection.query("SELECT coalesce(max(global_position), 0) FROM events")[0].decode(0, as: Int64.self)
        }
    }
}
