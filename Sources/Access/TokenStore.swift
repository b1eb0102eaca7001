public import Foundation
public import Postgres
import Crypto
import EventStore
import Synchronization

/// A token as listed: everything but the secret, which is never stored.
public struct TokenInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var scopes: [Scope]
    public var createdAt: Date
    public var revokedAt: Date?
}

/// A token just created: the only time its secret is seen.
public struct IssuedToken: Sendable, Hashable, Codable {
    /// The secret, to send as `Authorization: Bearer <token>`.
    public var token: String
    public var id: String
    public var name: String
    public var scopes: [Scope]
    public var createdAt: Date
}

/// API tokens: created with a random secret, stored as a SHA-256 hash, verified with a short
/// in-memory cache so a request costs no query when its token was seen recently.
public final class TokenStore: Sendable {
    /// How long a verified token is trusted without asking the database again; revoking a
    /// token takes effect in other processes within this time (at once in this one).
    public static let cacheTTL: Duration = .seconds(30)
    /// Unknown tokens are remembered for less time.
    static let negativeCacheTTL: Duration = .seconds(5)
    static let cacheLimit = 10_000
    /// Token secrets start with this, so they are easy to recognise (and to scan for leaks).
    public static let prefix = "llt_"

    private struct Cached {
        var principal: Principal?
        var expires: ContinuousClock.Instant
    }

    private let client: PostgresClient
    private let cache = Mutex<[Data: Cached]>([:])

    public init(client: PostgresClient) {
        self.client = client
    }

    /// Runs `body` on a pooled connection; database failures come out as `EventStoreError`s.
    private func database<Value: Sendable>(_ body: @escaping @Sendable (Connection) throws -> Value) async throws -> Value {
        try await EventStoreError.mapping { try await client.withConnection(body) }
    }

    /// Creates a token with a new random secret.
    public func create(name: String, scopes: Set<Scope>) async throws -> IssuedToken {
        guard (1...100).contains(name.count), !name.contains(where: \.isNewline) else {
            throw AccessError(code: "invalid_token_name", message: "a token name needs 1 to 100 characters on one line", field: "name")
        }
        guard !scopes.isEmpty else {
            throw AccessError(code: "invalid_scope", message: "a token needs at least one scope: ingest, read or admin", field: "scope")
        }
        let secret = Self.newSecret()
        let id = UUID().uuidString.lowercased()
        let sorted = scopes.sorted()
        do {
            let createdAt = try await database { connection in
                try connection.query(
                    "INSERT INTO api_tokens (id, name, scopes, token_hash) VALUES ($1::uuid, $2, $3::text[], $4::bytea) RETURNING created_at",
                    [id, name, PostgresTextArray(sorted.map(\.rawValue)), Self.hash(secret)]
                )[0].decode(0, as: Date.self)
            }
            return IssuedToken(token: secret, id: id, name: name, scopes: sorted, createdAt: createdAt)
        } catch let error as EventStoreError where error.code == .uniqueViolation && error.constraint == "api_tokens_active_name_key" {
            throw AccessError(code: "token_name_taken", message: "an active token is already named \"\(name)\"; revoke it or pick another name", field: "name")
        }
    }

    /// Creates an admin token if no active token exists yet; nil otherwise. Concurrent calls
    /// create at most one (an advisory lock serialises them).
    public func bootstrapAdmin(name: String = "admin") async throws -> IssuedToken? {
        let secret = Self.newSecret()
        let id = UUID().uuidString.lowercased()
        let createdAt: Date? = try await EventStoreError.mapping { try await client.withTransaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(1280070740, 1)")
            let active = try connection.query("SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")[0].decode(0, as: Int.self)
            guard active == 0 else { return nil }
            return try connection.query(
                "INSERT INTO api_tokens (id, name, scopes, token_hash) VALUES ($1::uuid, $2, ARRAY['admin'], $3::bytea) RETURNING created_at",
                [id, name, Self.hash(secret)]
            )[0].decode(0, as: Date.self)
        } }
        return createdAt.map { IssuedToken(token: secret, id: id, name: name, scopes: [.admin], createdAt: $0) }
    }

    /// Every token, newest first; revoked ones only when asked.
    public func list(includeRevoked: Bool = false) async throws -> [TokenInfo] {
        try await database { connection in
            try connection.query(
                """
                SELECT id::text, name, array_to_string(scopes, ','), created_at, revoked_at FROM api_tokens
                WHERE $1 OR revoked_at IS NULL ORDER BY created_at DESC, name
                """, [includeRevoked]
            ).rows.map(Self.decodeInfo)
        }
    }

    /// Revokes the active token with this name or id.
    public func revoke(_ nameOrId: String) async throws -> TokenInfo {
        let revoked = try await database { connection in
            try connection.query(
                """
                UPDATE api_tokens SET revoked_at = now()
                WHERE revoked_at IS NULL AND (name = $1 OR id::text = lower($1))
                RETURNING id::text, name, array_to_string(scopes, ','), created_at, revoked_at
                """, [nameOrId]
            ).rows.map(Self.decodeInfo)
        }
        guard let info = revoked.first else {
            throw AccessError(code: "token_not_found", message: "no active token is named or has the id \"\(nameOrId)\"", field: "token")
        }
        cache.withLock { $0.removeAll() }
        return info
    }

    /// The principal of a presented secret; nil when it is unknown or revoked.
    public func verify(_ presented: String) async throws -> Principal? {
        guard presented.hasPrefix(Self.prefix), presented.utf8.count < 200 else { return nil }
        let digest = Self.hash(presented)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[digest] }), cached.expires > now { return cached.principal }
        let principal = try await database { connection in
            try connection.query(
                "SELECT id::text, name, array_to_string(scopes, ',') FROM api_tokens WHERE token_hash = $1::bytea AND revoked_at IS NULL",
                [digest]
            ).rows.first.map { row in
                Principal(
                    tokenId: try row.decode(0), name: try row.decode(1),
                    scopes: Set(try row.decode(2, as: String.self).split(separator: ",").compactMap { Scope(rawValue: String($0)) }))
            }
        }
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[digest] = Cached(principal: principal, expires: now + (principal == nil ? Self.negativeCacheTTL : Self.cacheTTL))
        }
        return principal
    }

    /// 32 random bytes from the system's cryptographic generator, base64url.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    static func hash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    private static func decodeInfo(_ row: Row) throws -> TokenInfo {
        TokenInfo(
            id: try row.decode(0), name: try row.decode(1),
            scopes: try row.decode(2, as: String.self).split(separator: ",").compactMap { Scope(rawValue: String($0)) },
            createdAt: try row.decode(3), revokedAt: try row.decode(4))
    }
}
