public import EventStore
public import Foundation
import JSON
import Lifecycle
import Postgres
import Synchronization

/// Sources in PostgreSQL (`ingest_sources`), their secrets sealed by `SecretSealer`.
public final class SourceStore: Sendable {
    /// Secrets start with this, so they are easy to recognise (and to scan for leaks).
    public static let secretPrefix = "lls_"

    private let client: PostgresClient
    private let keyFile: String
    private let loaded = Mutex<SecretSealer?>(nil)

    /// The key file is read when a secret is first sealed or opened, so a server with no
    /// sources needs none; creating a source creates it.
    public init(store: EventStore, keyFile: String) {
        self.client = store.client
        self.keyFile = keyFile
    }

    private func sealer(_ create: Bool) throws(IngestError) -> SecretSealer {
        if let sealer = loaded.withLock({ $0 }) { return sealer }
        let sealer = try SecretSealer.load(from: keyFile, create: create)
        loaded.withLock { $0 = sealer }
        return sealer
    }

    static let columns = "id, name, kind, settings::text, created_at, secret_set_at"

    public func create(name: String, kind: SourceKind, settings: SourceSettings) async throws -> IssuedSource {
        guard CatalogueNames.isName(name) else {
            throw IngestError(.invalidSource, "a source name must match ^[a-z0-9][a-z0-9._-]{0,62}$, not \"\(name)\"", field: "name")
        }
        let settingsJSON = try Self.encode(settings.validated())
        let secret = Self.newSecret()
        let sealer = try sealer(true)
        let sealed = try sealer.seal(secret)
        do {
            let source = try await database { connection in
                try Self.decode(connection.query(
                    """
                    INSERT INTO ingest_sources (id, name, kind, settings, secret_sealed, secret_key_id)
                    VALUES ($1::uuid, $2, $3, $4::jsonb, $5::bytea, $6) RETURNING \(Self.columns)
                    """, [UUID(), name, kind.rawValue, settingsJSON, sealed, sealer.keyId])[0])
            }
            return IssuedSource(source: source, secret: secret, ingestPath: source.ingestPath)
        } catch let error as EventStoreError where error.code == .uniqueViolation && error.constraint == "ingest_sources_active_name_key" {
            throw IngestError(.sourceNameTaken, "a source is already named \"\(name)\"; delete it or pick another name", field: "name")
        }
    }

    public func list() async throws -> [Source] {
        try await database { connection in
            try connection.query("SELECT \(Self.columns) FROM ingest_sources WHERE deleted_at IS NULL ORDER BY name").rows.map(Self.decode)
        }
    }

    public func show(_ name: String) async throws -> Source {
        try await found(name, database { connection in
            try connection.query("SELECT \(Self.columns) FROM ingest_sources WHERE deleted_at IS NULL AND name = $1", [name])
                .rows.first.map(Self.decode)
        })
    }

    /// The live source with this id (a dead letter's, for a retry); nil if it was deleted.
    func find(id: UUID) async throws -> Source? {
        try await database { connection in
            try connection.query("SELECT \(Self.columns) FROM ingest_sources WHERE id = $1::uuid AND deleted_at IS NULL", [id])
                .rows.first.map(Self.decode)
        }
    }

    /// Replaces a source's settings (a new `--map`, say); its secret stays.
    public func update(_ name: String, settings: SourceSettings) async throws -> Source {
        let settingsJSON = try Self.encode(settings.validated())
        return try await found(name, database { connection in
            try connection.query(
                "UPDATE ingest_sources SET settings = $2::jsonb WHERE deleted_at IS NULL AND name = $1 RETURNING \(Self.columns)",
                [name, settingsJSON]
            ).rows.first.map(Self.decode)
        })
    }

    /// A new secret; the old one stops working at once.
    public func rotateSecret(_ name: String) async throws -> IssuedSource {
        let secret = Self.newSecret()
        let sealer = try sealer(true)
        let sealed = try sealer.seal(secret)
        let source = try await found(name, database { connection in
            try connection.query(
                """
                UPDATE ingest_sources SET secret_sealed = $2::bytea, secret_key_id = $3, secret_set_at = now()
                WHERE deleted_at IS NULL AND name = $1 RETURNING \(Self.columns)
                """, [name, sealed, sealer.keyId]
            ).rows.first.map(Self.decode)
        })
        return IssuedSource(source: source, secret: secret, ingestPath: source.ingestPath)
    }

    /// Deletes a source: its URL stops answering; its deliveries stay on record.
    public func delete(_ name: String) async throws -> Source {
        try await found(name, database { connection in
            try connection.query(
                "UPDATE ingest_sources SET deleted_at = now() WHERE deleted_at IS NULL AND name = $1 RETURNING \(Self.columns)", [name]
            ).rows.first.map(Self.decode)
        })
    }

    /// A live source of `kind` and its secret, opened, for checking a delivery.
    func withSecret(_ name: String, kind: SourceKind) async throws -> (Source, String) {
        let row = try await database { connection in
            try connection.query(
                "SELECT \(Self.columns), secret_sealed, secret_key_id FROM ingest_sources WHERE deleted_at IS NULL AND name = $1 AND kind = $2",
                [name, kind.rawValue]
            ).rows.first.map { row in (try Self.decode(row), try row.decode(6, as: Data.self), try row.decode(7, as: String.self)) }
        }
        guard let (source, sealed, keyId) = row else {
            throw IngestError(.sourceNotFound, "no \(kind.rawValue) source is named \"\(name)\"", field: "source")
        }
        return (source, try sealer(false).open(sealed, keyId: keyId))
    }

    // MARK: - Helpers

    private func database<Value: Sendable>(_ body: @escaping @Sendable (Connection) throws -> Value) async throws -> Value {
        try await EventStoreError.mapping { try await client.withConnection(body) }
    }

    private func found(_ name: String, _ source: Source?) throws(IngestError) -> Source {
        guard let source else { throw IngestError(.sourceNotFound, "no source is named \"\(name)\"", field: "source") }
        return source
    }

    /// A stored kind this build knows; a newer build's kind is an error, not a guess.
    static func kind(_ text: String, source: String) throws(IngestError) -> SourceKind {
        guard let kind = SourceKind(rawValue: text) else {
            throw IngestError(.internalError, "source \(source) has an unknown kind \(text)")
        }
        return kind
    }

    static func decode(_ row: Row) throws -> Source {
        Source(
            id: try row.decode(0), name: try row.decode(1), kind: try kind(row.decode(2), source: row.decode(1)),
            settings: try JSONDecoder().decode(SourceSettings.self, from: Data(try row.decode(3, as: String.self).utf8)),
            createdAt: try row.decode(4), secretSetAt: try row.decode(5))
    }

    /// The settings as stored; text jsonb cannot hold (U+0000) is refused, not sent.
    static func encode(_ settings: SourceSettings) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(settings), as: UTF8.self)
        do { try JSONScanner.validateObject(text) } catch {
            throw IngestError(.invalidSource, "a setting holds text that cannot be stored (\(error.reason))", field: "settings")
        }
        return text
    }

    /// 32 random bytes from the system's cryptographic generator, base64url.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
