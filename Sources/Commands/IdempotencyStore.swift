import Foundation
import Postgres

/// Idempotency keys: the first request with a key claims it; the outcome is stored against
/// it; a retry with the same key and body gets that outcome, with another body a refusal.
struct IdempotencyStore: Sendable {
    /// What a claim found.
    enum Claim: Sendable {
        /// This request is the first with the key: run it.
        case fresh
        /// An earlier request with this key and body finished: answer with its outcome.
        case finished(status: Int, response: Data)
        /// An earlier request with this key and body never recorded an outcome (it is still
        /// running, or its process died): run it again, with the same event ids.
        case unfinished
        /// The key was used with another body.
        case reused
    }

    static let claimSQL = """
        INSERT INTO command_idempotency (token_id, key, request_hash) VALUES ($1::uuid, $2, $3::bytea)
        ON CONFLICT DO NOTHING RETURNING true
        """
    static let lookupSQL = """
        SELECT request_hash, status, response::text FROM command_idempotency WHERE token_id = $1::uuid AND key = $2
        """
    static let recordSQL = """
        UPDATE command_idempotency SET status = $4, response = $5::jsonb
        WHERE token_id = $1::uuid AND key = $2 AND request_hash = $3::bytea
        """

    let client: PostgresClient

    func claim(scope: String, key: String, requestHash: Data) async throws -> Claim {
        try await client.withConnection { connection in
            if try connection.query(Self.claimSQL, [scope, key, requestHash]).count == 1 { return .fresh }
            let row = try connection.query(Self.lookupSQL, [scope, key])[0]
            guard try row.decode(0, as: Data.self) == requestHash else { return .reused }
            guard let status = try row.decode(1, as: Int?.self), let response = try row.decode(2, as: String?.self) else {
                return .unfinished
            }
            return .finished(status: status, response: Data(response.utf8))
        }
    }

    func record(scope: String, key: String, requestHash: Data, status: Int, response: Data) async throws {
        try await client.withConnection { connection in
            _ = try connection.query(
                Self.recordSQL, [scope, key, requestHash, status, String(decoding: response, as: UTF8.self)])
        }
    }
}
