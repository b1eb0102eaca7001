import Foundation
import Postgres

/// Writes batches of appends for the `AppendCombiner`, and wakes followers afterwards.
struct AppendWriter: Sendable {
    /// One lock per stream, never a global one: the next appender of the stream waits, then
    /// reads the version this one committed. Class 1280070740 = 'LLST'.
    static let lockStreamSQL = "SELECT pg_advisory_xact_lock(1280070740, hashtext($1))"
    /// Several streams, locked in one global order, so that two transactions never wait for
    /// each other in a cycle.
    static let lockStreamsSQL = """
        SELECT count(pg_advisory_xact_lock(1280070740, h))
        FROM (SELECT DISTINCT hashtext(s) AS h FROM unnest($1::text[]) AS s ORDER BY 1) AS locks
        """
    /// One append of one event. A statement of its own, after the lock, so its snapshot sees
    /// what earlier holders of the lock committed. Always returns one row: the version before,
    /// and the event written, or NULLs when the expected version ($2: NULL any, -1 exists,
    /// N exact) refused it.
    static let appendEventSQL = """
        WITH current AS (SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1),
        written AS (
            INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
            SELECT $3::uuid, $1, current.version + 1, $4, $5::integer, $6::jsonb, $7::jsonb FROM current
            WHERE $2::bigint IS NULL OR ($2 = -1 AND current.version > 0) OR current.version = $2
            RETURNING event_id, stream_version, global_position, recorded_at
        )
        SELECT current.version, written.* FROM current LEFT JOIN written ON true
        """
    /// One append of several events, the same way; one row per event written.
    static let appendEventsSQL = """
        WITH current AS (SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1),
        written AS (
            INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
            SELECT x.id, $1, current.version + x.n, x.type, x.schema_version, x.data, x.metadata
            FROM current,
                 unnest($3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[])
                     WITH ORDINALITY AS x(id, type, schema_version, data, metadata, n)
            WHERE $2::bigint IS NULL OR ($2 = -1 AND current.version > 0) OR current.version = $2
            ORDER BY x.n
            RETURNING event_id, stream_version, global_position, recorded_at
        )
        SELECT current.version, written.* FROM current LEFT JOIN written ON true ORDER BY written.stream_version
        """
    static let notifySQL = "SELECT pg_notify($1, $2)"

    let notifier: AppendNotifier
    let wake: LogWake

    /// Writes a batch of appends in one transaction; if the transaction fails as a whole
    /// (a duplicate event id, a lost connection), each append is retried alone so every one
    /// gets its own answer.
    /// Blocks: runs on an append writer's thread, with that writer's connection.
    func callAsFunction(_ batch: [AppendCombiner.Request], on connection: Connection) -> [Result<AppendCombiner.Outcome, any Error>] {
        do {
            return try writeTogether(batch, on: connection).map { .success($0) }
        } catch let error as PostgresError where batch.count > 1 && !error.isConnectionFailure {
            return batch.map { self([$0], on: connection)[0] }
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// One transaction, one round trip: the stream locks and one statement per append (and,
    /// when the store does not run its notifier, a NOTIFY after the commit).
    private func writeTogether(_ batch: [AppendCombiner.Request], on connection: Connection) throws -> [AppendCombiner.Outcome] {
        let lock =
            batch.count == 1
            ? Statement(Self.lockStreamSQL, [batch[0].stream])
            : Statement(Self.lockStreamsSQL, [PostgresTextArray(batch.map(\.stream))])
        let appends = batch.map(Self.statement)
        // With the store running as a service, the coalescing notifier wakes other processes;
        // otherwise the NOTIFY rides in the append's round trip, in its own transaction after
        // the commit (inside the transaction it would serialise every commit on the
        // notification queue's lock).
        let notifyInPipeline = !notifier.isActive
        let notify = notifyInPipeline ? [Statement(Self.notifySQL, [EventStore.notificationChannel, ""])] : []
        let results = try connection.pipelinedTransaction([lock] + appends, then: notify).dropFirst().map { result in
            try result.rows.map(Self.decodeWritten)
        }
        wake.signal()
        if !notifyInPipeline && !notifier.appendCommitted() {
            _ = try? connection.query(Self.notifySQL, [EventStore.notificationChannel, ""])
        }
        return try zip(batch, results).map { request, rows in
            guard let first = rows.first else { throw PostgresError(kind: .protocolViolation, message: "append returned no row") }
            guard first.event != nil else { return .conflict(actualVersion: first.versionBefore) }
            let events = rows.compactMap(\.event)
            guard events.count == request.events.count else {
                throw PostgresError(
                    kind: .protocolViolation, message: "an append wrote \(events.count) of \(request.events.count) events")
            }
            return .appended(events)
        }
    }

    private static func statement(_ request: AppendCombiner.Request) -> Statement {
        let head: [(any PostgresEncodable)?] = [request.stream, request.expected]
        if request.events.count == 1, let event = request.events.first {
            return Statement(
                appendEventSQL, head + [event.id, event.type, event.schemaVersion, event.data, event.metadata])
        }
        let events = request.events
        return Statement(
            appendEventsSQL,
            head + [
                PostgresTextArray(events.map { $0.id.lowercasedString }), PostgresTextArray(events.map(\.type)),
                PostgresTextArray(events.map { String($0.schemaVersion) }), PostgresTextArray(events.map(\.data)),
                PostgresTextArray(events.map(\.metadata)),
            ])
    }

    /// The version before the append, and the event written if it was not refused.
    private struct WrittenRow: Sendable {
        var versionBefore: Int64
        var event: AppendedEvent?
    }

    private static func decodeWritten(_ row: Row) throws -> WrittenRow {
        let versionBefore = try row.decode(0, as: Int64.self)
        guard let eventId = try row.decode(1, as: UUID?.self) else { return WrittenRow(versionBefore: versionBefore) }
        return WrittenRow(
            versionBefore: versionBefore,
            event: AppendedEvent(
                eventId: eventId, streamVersion: try row.decode(2), position: try row.decode(3),
                recordedAt: try row.decode(4)))
    }

    /// Sends one NOTIFY on the log's channel.
    static func notify(_ client: PostgresClient) async throws {
        try await client.withConnection { connection in
            _ = try connection.query(notifySQL, [EventStore.notificationChannel, ""])
        }
    }
}
