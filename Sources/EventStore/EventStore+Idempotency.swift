public import Foundation
import Postgres

/// An idempotency key as the store keeps it: scoped to one caller, bound to one request body.
public struct IdempotencyKey: Sendable, Hashable {
    /// Whose key it is (a token id, UUID text): two callers may use one key for different things.
    public var scope: String
    public var key: String
    /// A digest of the request the key was first used with.
    public var requestHash: Data

    public init(scope: String, key: String, requestHash: Data) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
    }
}

/// What claiming an idempotency key found.
public enum IdempotencyClaim: Sendable, Hashable {
    /// This request is the first with the key: run it.
    case fresh
    /// An earlier request with this key and body finished: answer with its outcome.
    case finished(status: Int, response: Data)
    /// An earlier request with this key and body never recorded an outcome (it is still
    /// running, or its process died). `recorded` holds those of the candidate event ids it
    /// appended, in log order: empty means it wrote nothing, so run it again with the same ids.
    case unfinished(recorded: [RecordedEvent])
    /// The key was used with another body.
    case reused
}

extension EventStore {
    /// Claims the key and, when an earlier attempt holds it unfinished, reads the events it
    /// appended with `eventIds`: "did I already write this?" in one round trip. The CTE's
    /// insert is invisible to the statement's own reads, so a fresh claim finds no earlier row.
    static let claimSQL = """
        WITH claimed AS (
            INSERT INTO command_idempotency (token_id, key, request_hash) VALUES ($1::uuid, $2, $3::bytea)
            ON CONFLICT DO NOTHING RETURNING true AS fresh
        ), earlier AS (
            SELECT request_hash, status, response::text AS response FROM command_idempotency
            WHERE token_id = $1::uuid AND key = $2
        )
        SELECT c.fresh, e.request_hash, e.status, e.response, ev.*
        FROM (VALUES (true)) AS one (row)
        LEFT JOIN claimed c ON true
        LEFT JOIN earlier e ON true
        LEFT JOIN LATERAL (
            SELECT \(columns) FROM events
            WHERE event_id = ANY($4::uuid[]) AND e.status IS NULL AND e.request_hash = $3::bytea
        ) ev ON true
        ORDER BY ev.global_position
        """
    static let recordOutcomeSQL = """
        UPDATE command_idempotency SET status = $4, response = $5::jsonb
        WHERE token_id = $1::uuid AND key = $2 AND request_hash = $3::bytea
        """

    /// The first request with a key claims it; a retry with the same key and body learns the
    /// outcome stored, or, if none was, what the earlier attempt appended with `eventIds`.
    public func claim(_ key: IdempotencyKey, eventIds: [UUID]) async throws(EventStoreError) -> IdempotencyClaim {
        let parameters: [(any PostgresEncodable)?] = [
            key.scope, key.key, key.requestHash, PostgresTextArray(eventIds.map(\.lowercasedString)),
        ]
        return try await Self.mappingAll {
            try await client.withConnection { connection in
                var rows = try connection.query(Self.claimSQL, parameters).rows
                if try rows[0].decode(0, as: Bool?.self) == true { return .fresh }
                if try rows[0].isNull(1) {
                    // Neither claimed nor found: the insert waited for a request with the same
                    // key that committed after this statement's snapshot. A new statement sees it.
                    rows = try connection.query(Self.claimSQL, parameters).rows
                }
                return try Self.claim(rows, requestHash: key.requestHash)
            }
        }
    }

    private static func claim(_ rows: [Row], requestHash: Data) throws -> IdempotencyClaim {
        guard let first = rows.first, try first.decode(1, as: Data?.self) == requestHash else { return .reused }
        if let status = try first.decode(2, as: Int?.self), let response = try first.decode(3, as: String?.self) {
            return .finished(status: status, response: Data(response.utf8))
        }
        let recorded = try rows.filter { try !$0.isNull(4) }.map { try decodeRecorded($0, from: 4) }
        return .unfinished(recorded: recorded)
    }

    /// Stores a request's outcome against its key: what a retry with the key will answer.
    public func recordOutcome(_ key: IdempotencyKey, status: Int, response: Data) async throws(EventStoreError) {
        let parameters: [(any PostgresEncodable)?] = [
            key.scope, key.key, key.requestHash, status, String(decoding: response, as: UTF8.self),
        ]
        try await Self.mappingAll {
            try await client.withConnection { connection in _ = try connection.query(Self.recordOutcomeSQL, parameters) }
        }
    }
}

// MARK: - Many keys at once (batched commands)

extension EventStore {
    /// Claims many keys of one caller in one statement; the keys it returns were fresh. A key
    /// it does not return was claimed before (by an earlier request, finished or not, or with
    /// another body): its command takes the one-key path, whose `claim` tells which.
    static let claimFreshSQL = """
        INSERT INTO command_idempotency (token_id, key, request_hash)
        SELECT $1::uuid, x.key, x.hash FROM unnest($2::text[], $3::bytea[]) AS x(key, hash)
        ON CONFLICT DO NOTHING RETURNING key
        """
    static let recordOutcomesSQL = """
        UPDATE command_idempotency c SET status = x.status, response = x.response::jsonb
        FROM unnest($2::text[], $3::bytea[], $4::integer[], $5::text[]) AS x(key, hash, status, response)
        WHERE c.token_id = $1::uuid AND c.key = x.key AND c.request_hash = x.hash
        """

    /// Claims `keys` (all of one scope, no key twice) in one round trip and answers which of
    /// them (by key text) this call claimed fresh.
    public func claimFresh(_ keys: [IdempotencyKey]) async throws(EventStoreError) -> Set<String> {
        guard let scope = keys.first?.scope else { return [] }
        let parameters: [(any PostgresEncodable)?] = [
            scope, PostgresTextArray(keys.map(\.key)), PostgresTextArray(keys.map(\.requestHash.postgresText)),
        ]
        return try await Self.mappingAll {
            try await client.withConnection { connection in
                Set(try connection.query(Self.claimFreshSQL, parameters).rows.map { try $0.decode(0, as: String.self) })
            }
        }
    }

    /// Stores many outcomes (keys of one scope) in one statement, as `recordOutcome` does one.
    public func recordOutcomes(_ outcomes: [IdempotentOutcome]) async throws(EventStoreError) {
        guard let scope = outcomes.first?.key.scope else { return }
        let parameters: [(any PostgresEncodable)?] = [
            scope, PostgresTextArray(outcomes.map(\.key.key)), PostgresTextArray(outcomes.map(\.key.requestHash.postgresText)),
            PostgresTextArray(outcomes.map { String($0.status) }),
            PostgresTextArray(outcomes.map { String(decoding: $0.response, as: UTF8.self) }),
        ]
        try await Self.mappingAll {
            try await client.withConnection { connection in _ = try connection.query(Self.recordOutcomesSQL, parameters) }
        }
    }
}

/// An outcome to store against its key: the status and the JSON a retry will answer with.
public struct IdempotentOutcome: Sendable {
    public var key: IdempotencyKey
    public var status: Int
    public var response: Data

    public init(key: IdempotencyKey, status: Int, response: Data) {
        self.key = key
        self.status = status
        self.response = response
    }
}
