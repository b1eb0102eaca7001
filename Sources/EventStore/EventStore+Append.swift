import Foundation
import JSON
import Postgres

extension EventStore {
    /// The most events one append takes.
    public static let maximumEventsPerAppend = 10_000
    /// The most bytes of data and metadata one event may carry (1 MiB): events record what
    /// happened; artefacts belong in artefact stores, linked from the event.
    public static let maximumEventBytes = JSONLimits.maximumDocumentBytes

    static let lookupSQL = """
        SELECT event_id, stream_id, stream_version, global_position, recorded_at
        FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position
        """

    /// Appends events to one stream atomically, if the stream matches `expected`.
    ///
    /// Appending event ids that are already recorded, in this stream, returns the original
    /// result with `duplicate == true` and writes nothing, so a client that lost the answer
    /// can simply retry.
    public func append(
        _ events: [NewEvent], to stream: StreamName, expected: ExpectedVersion = .any
    ) async throws -> AppendResult {
        try Self.validate(events)
        let request = AppendCombiner.Request(stream: stream.rawValue, expected: expected.databaseValue, events: events)
        do {
            switch try await combiner.submit(request) {
            case .appended(let appended):
                return AppendResult(stream: stream.rawValue, events: appended, duplicate: false)
            case .conflict(let actual):
                if let original = try await originals(of: events, in: stream) { return original }
                throw EventStoreError(
                    .wrongExpectedVersion,
                    "wrong expected version for stream \(stream): expected \(expected), actual \(actual)",
                    field: "expectedVersion", actualVersion: actual)
            }
        } catch let error as PostgresError {
            return try await recover(from: error, appending: events, to: stream)
        }
    }

    private static func validate(_ events: [NewEvent]) throws(EventStoreError) {
        guard !events.isEmpty else { throw EventStoreError(.invalidArgument, "an append needs at least one event", field: "events") }
        guard events.count <= maximumEventsPerAppend else {
            throw EventStoreError(
                .invalidArgument, "an append takes at most \(maximumEventsPerAppend) events, not \(events.count)", field: "events")
        }
        var seen = Set<UUID>()
        for event in events {
            try event.validate()
            guard event.data.utf8.count + event.metadata.utf8.count <= maximumEventBytes else {
                throw EventStoreError(
                    .eventTooLarge,
                    "an event's data and metadata may hold at most \(maximumEventBytes) bytes together, not \(event.data.utf8.count + event.metadata.utf8.count)",
                    field: "data")
            }
            try event.validateJSON()
            guard seen.insert(event.id).inserted else {
                throw EventStoreError(
                    .duplicateEventId, "event id \(event.id.lowercasedString) appears twice in one append", field: "eventId")
            }
        }
    }

    /// Turns a failed append into the original result (a retried append) or a typed error.
    private func recover(from error: PostgresError, appending events: [NewEvent], to stream: StreamName) async throws
        -> AppendResult
    {
        if error.code == .uniqueViolation && error.constraint == "events_event_id_key" {
            if let original = try await originals(of: events, in: stream) { return original }
            throw EventStoreError(
                .duplicateEventId, "an event id of this append is already recorded, in another stream or another append",
                field: "eventId")
        }
        if error.isConnectionFailure {
            throw EventStoreError(
                .databaseUnavailable,
                "the connection to PostgreSQL broke during the append, which may or may not have been recorded: retry with the same event ids (\(error.message))"
            )
        }
        throw EventStoreError.from(error)
    }

    /// The recorded events, if every id of this append is already in this stream.
    private func originals(of events: [NewEvent], in stream: StreamName) async throws -> AppendResult? {
        let ids = PostgresTextArray(events.map { $0.id.lowercasedString })
        let found = try await client.withConnection { connection in
            try connection.query(Self.lookupSQL, [ids]).rows.map { row in
                (
                    stream: try row.decode(1, as: String.self),
                    event: AppendedEvent(
                        eventId: try row.decode(0), streamVersion: try row.decode(2), position: try row.decode(3),
                        recordedAt: try row.decode(4))
                )
            }
        }
        guard found.count == events.count, found.allSatisfy({ $0.stream == stream.rawValue }) else { return nil }
        return AppendResult(stream: stream.rawValue, events: found.map(\.event), duplicate: true)
    }

}
