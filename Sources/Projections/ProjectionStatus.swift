public import Foundation
public import Postgres
import EventStore

/// Where a projection stands: `GET /v1/projections` and `loopline projections`.
public struct ProjectionStatus: Sendable, Codable, Hashable {
    public var name: String
    /// The event types that change its tables: a client refreshes what this model feeds only
    /// after such an event.
    public var eventTypes: [String] = []
    /// The version of its tables in the database (this build's when it has not run yet).
    public var version: Int
    /// `running`, `failed` (stopped at `lastError`), or `new` (no worker has claimed it yet).
    public var state: String
    /// Every event up to here is applied.
    public var position: Int64
    /// The log's head, and how far behind it the projection is: events (positions) and
    /// seconds since the oldest event it has not applied was recorded.
    public var headPosition: Int64
    public var lagEvents: Int64
    public var lagSeconds: Double
    /// The worker holding the lease, and whether the lease is current.
    public var owner: String?
    public var ownerActive: Bool
    public var lastError: ProjectionFailure?
    public var updatedAt: Date?
}

extension ProjectionStatus {
    /// The status of each of `projections`, in their order.
    public static func all(_ projections: [any Projection], client: PostgresClient) async throws -> [ProjectionStatus] {
        let (head, rows) = try await EventStoreError.mapping { try await client.withConnection(Self.read) }
        let stored = Dictionary(rows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return projections.map { projection in
            var status = stored[projection.name] ?? ProjectionStatus(
                name: projection.name, version: projection.version, state: "new", position: 0, headPosition: head,
                lagEvents: head, lagSeconds: 0, owner: nil, ownerActive: false, lastError: nil, updatedAt: nil)
            status.eventTypes = projection.eventTypes.sorted()
            return status
        }
    }

    /// Whether every one of `projections` has applied the log up to `position` (one without a
    /// row yet, never claimed by a worker, has not). For read-your-writes: `minPosition`.
    public static func allApplied(_ position: Int64, _ projections: [any Projection], client: PostgresClient) async throws -> Bool {
        let names = PostgresTextArray(projections.map(\.name))
        return try await EventStoreError.mapping {
            try await client.withConnection { connection in
                try connection.query(appliedSQL, [position, names])[0].decode(0, as: Bool.self)
            }
        }
    }

    static let appliedSQL = """
        SELECT count(*) = cardinality($2::text[]) AND coalesce(min(position), 0) >= $1::bigint
        FROM projections WHERE name = ANY($2::text[])
        """

    /// The log's head and every stored status, in one connection.
    private static func read(_ connection: Connection) throws -> (Int64, [ProjectionStatus]) {
        let head = try connection.query("SELECT coalesce(max(global_position), 0) FROM events")[0].decode(0, as: Int64.self)
        let rows = try connection.query(
            """
            SELECT p.name, p.version, p.state, p.position, p.owner, coalesce(p.lease_until > now(), false),
                   p.last_error::text, p.updated_at,
                   coalesce(extract(epoch FROM now() - (
                       SELECT e.recorded_at FROM events e WHERE e.global_position > p.position
                        ORDER BY e.global_position LIMIT 1))::float8, 0)
              FROM projections p
            """
        ).rows.map { try Self(row: $0, head: head) }
        return (head, rows)
    }

    init(row: Row, head: Int64) throws {
        name = try row.decode(0)
        version = try row.decode(1)
        state = try row.decode(2)
        position = try row.decode(3)
        headPosition = max(head, position)
        lagEvents = headPosition - position
        owner = try row.decode(4)
        ownerActive = try row.decode(5)
        let error: String? = try row.decode(6)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        lastError = try error.map { try decoder.decode(ProjectionFailure.self, from: Data($0.utf8)) }
        updatedAt = try row.decode(7)
        lagSeconds = try row.decode(8)
    }
}
