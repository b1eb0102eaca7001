import Commands
public import EventStore
public import Foundation
import Postgres

/// Deliveries in PostgreSQL (`ingest_deliveries`): the claim that makes a redelivery answer
/// the first outcome, the outcome itself, and the dead letters kept for retry.
public final class DeliveryStore: Sendable {
    /// A claim left `processing` this long belongs to a process that died: it may be taken over.
    static let staleAfterSeconds = 30

    /// What claiming a delivery key found.
    enum Claim: Sendable {
        /// This request is the first: process it as delivery `id`.
        case fresh(UUID)
        /// An earlier request finished: its answer.
        case done(IngestAnswer)
        /// An earlier request is still processing it.
        case processing
    }

    private let client: PostgresClient

    public init(store: EventStore) {
        self.client = store.client
    }

    static let columns = """
        d.id, s.name, s.kind, d.delivery_key, d.event, d.disposition, d.reason, d.answer::text, d.headers::text,
        d.body, d.attempts, d.received_at, d.updated_at
        """

    /// Claims `(source, key)`, or takes over a claim whose process died, in one statement.
    func claim(source: UUID, key: String, event: String, headers: [String: String]) async throws -> Claim {
        let headersJSON = try Self.encode(headers)
        return try await database { connection in
            let result = try Self.unflushed(connection, Statement(
                """
                WITH fresh AS (
                    INSERT INTO ingest_deliveries (id, source_id, delivery_key, event, disposition, headers)
                    VALUES ($1::uuid, $2::uuid, $3, $4, 'processing', $5::jsonb)
                    ON CONFLICT (source_id, delivery_key) DO NOTHING RETURNING id
                ), stale AS (
                    UPDATE ingest_deliveries SET attempts = attempts + 1, updated_at = now()
                    WHERE source_id = $2::uuid AND delivery_key = $3 AND disposition = 'processing'
                      AND updated_at < now() - make_interval(secs => $6)
                    RETURNING id
                )
                SELECT (SELECT id FROM fresh), (SELECT id FROM stale),
                       (SELECT answer::text FROM ingest_deliveries WHERE source_id = $2::uuid AND delivery_key = $3 AND disposition <> 'processing')
                """, [UUID(), source, key, event, headersJSON, Self.staleAfterSeconds]))[0]
            if let id = try result.decode(0, as: UUID?.self) ?? result.decode(1, as: UUID?.self) { return .fresh(id) }
            guard let answer = try result.decode(2, as: String?.self) else { return .processing }
            return .done(try Self.answer(answer))
        }
    }

    /// Stores the outcome; the body too when the delivery is dead-lettered.
    func finish(_ id: UUID, _ answer: IngestAnswer, body: Data?) async throws {
        let answerJSON = try Self.encode(answer)
        _ = try await database { connection in
            try Self.unflushed(connection, Statement(
                """
                UPDATE ingest_deliveries SET disposition = $2, reason = $3, answer = $4::jsonb, body = $5::bytea, updated_at = now()
                WHERE id = $1::uuid
                """, [id, answer.disposition.rawValue, answer.reason, answerJSON, answer.disposition == .deadLettered ? body : nil]))
        }
    }

    /// Lets go of a claim whose processing failed (the database went away): a redelivery
    /// starts afresh, and the commands' idempotency keys keep it from writing twice.
    func abandon(_ id: UUID) async {
        _ = try? await database { connection in
            try connection.query("DELETE FROM ingest_deliveries WHERE id = $1::uuid AND disposition = 'processing'", [id])
        }
    }

    /// Takes a dead letter for a retry: one retry at a time, and not one already recorded.
    func claimRetry(_ id: UUID) async throws -> (record: DeliveryRecord, sourceId: UUID)? {
        try await database { connection in
            try connection.query(
                """
                WITH claimed AS (
                    UPDATE ingest_deliveries SET disposition = 'processing', attempts = attempts + 1, updated_at = now()
                    WHERE id = $1::uuid AND disposition = 'dead-lettered' RETURNING *
                )
                SELECT \(Self.columns), d.source_id FROM claimed d JOIN ingest_sources s ON s.id = d.source_id
                """, [id]
            ).rows.first.map { row in (try Self.decode(row), try row.decode(13, as: UUID.self)) }
        }
    }

    /// Puts a retried delivery back as it was when the retry could not run.
    func release(_ id: UUID) async {
        _ = try? await database { connection in
            try connection.query(
                "UPDATE ingest_deliveries SET disposition = 'dead-lettered' WHERE id = $1::uuid AND disposition = 'processing'", [id])
        }
    }

    public func find(_ id: UUID) async throws -> DeliveryRecord {
        let record = try await database { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM ingest_deliveries d JOIN ingest_sources s ON s.id = d.source_id WHERE d.id = $1::uuid", [id]
            ).rows.first.map(Self.decode)
        }
        guard let record else { throw IngestError(.deliveryNotFound, "no delivery has the id \(id.uuidString.lowercased())", field: "delivery") }
        return record
    }

    /// The newest deliveries first, optionally of one source or one disposition.
    public func list(source: String? = nil, disposition: Disposition? = nil, limit: Int = 100) async throws -> [DeliveryRecord] {
        try await database { connection in
            try connection.query(
                """
                SELECT \(Self.columns) FROM ingest_deliveries d JOIN ingest_sources s ON s.id = d.source_id
                WHERE ($1::text IS NULL OR s.name = $1) AND ($2::text IS NULL OR d.disposition = $2)
                ORDER BY d.received_at DESC, d.id LIMIT $3
                """, [source, disposition?.rawValue, limit]
            ).rows.map(Self.decode)
        }
    }

    /// The ids of every dead letter, oldest first (for `retry --all-dead`).
    public func deadLetters() async throws -> [UUID] {
        try await database { connection in
            try connection.query(
                "SELECT id FROM ingest_deliveries WHERE disposition = 'dead-lettered' ORDER BY received_at, id"
            ).rows.map { try $0.decode(0, as: UUID.self) }
        }
    }

    /// How many dead letters wait, for `loopline status` and `/metrics`.
    public func deadLetterCount() async throws -> Int {
        try await database { connection in
            try connection.query("SELECT count(*) FROM ingest_deliveries WHERE disposition = 'dead-lettered'")[0].decode(0, as: Int.self)
        }
    }

    // MARK: - Helpers

    /// Runs `statement` in a transaction that does not wait for its WAL flush, in one round
    /// trip. Claims and answers may be lost in a crash without harm: the delivery is then
    /// processed again, and its events' derived ids keep it from writing twice. The events
    /// themselves are appended with the log's own durability.
    private static func unflushed(_ connection: Connection, _ statement: Statement) throws -> QueryResult {
        let results = try connection.pipeline([
            Statement("BEGIN"), Statement("SET LOCAL synchronous_commit TO off"), statement, Statement("COMMIT"),
        ])
        for result in results { if case .failure(let error) = result { throw error } }
        return try results[2].get()
    }

    private func database<Value: Sendable>(_ body: @escaping @Sendable (Connection) throws -> Value) async throws -> Value {
        try await EventStoreError.mapping { try await client.withConnection(body) }
    }

    // Log times keep their microseconds, so a replayed answer equals the first.
    static var encoder: JSONEncoder { CommandJSON.encoder }
    static var decoder: JSONDecoder { CommandJSON.decoder }

    static func encode(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    static func answer(_ text: String) throws -> IngestAnswer { try decoder.decode(IngestAnswer.self, from: Data(text.utf8)) }

    static func decode(_ row: Row) throws -> DeliveryRecord {
        let body = try row.decode(9, as: Data?.self)
        return DeliveryRecord(
            id: try row.decode(0, as: UUID.self).uuidString.lowercased(), source: try row.decode(1), kind: try SourceStore.kind(row.decode(2), source: row.decode(1)),
            deliveryKey: try row.decode(3), event: try row.decode(4), disposition: try row.decode(5), reason: try row.decode(6),
            answer: try row.decode(7, as: String?.self).map(answer),
            headers: try decoder.decode([String: String].self, from: Data(try row.decode(8, as: String.self).utf8)),
            body: body.flatMap { String(data: $0, encoding: .utf8) }, attempts: try row.decode(10),
            receivedAt: try row.decode(11), updatedAt: try row.decode(12))
    }
}
