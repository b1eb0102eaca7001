public import EventStore
public import Foundation
public import Lifecycle
public import Postgres

/// A named fold from events to the tables of one read model.
///
/// A projection says what to write for each event, as SQL statements; the runtime
/// (`ProjectionWorker`) reads the log, runs the statements of a batch in one transaction with
/// the checkpoint, and owns the rest: leases, retries, failures, rebuilds. The statements use
/// unqualified table names: the runtime points `search_path` at the projection's schema (or at
/// the shadow schema a replay builds), so one projection serves both.
public protocol Projection: Sendable {
    /// The projection's name, also the PostgreSQL schema of its tables (`planning`, ...).
    var name: String { get }
    /// The shape of its tables. Raise it when its tables file or the meaning of a column
    /// changes: a worker running the new version rebuilds the read model from the log.
    var version: Int { get }
    /// The `schema/` file that creates the projection's tables (`tables/<name>.sql`), with the
    /// keys and indexes its writes rely on. Run in the projection's schema or a replay's shadow,
    /// so its names are unqualified.
    var tablesFile: SchemaFile { get }
    /// The `schema/` file of the indexes only its queries use (and constraints its writes do not
    /// rely on), or nil. A replay runs it once its bulk load is in: building an index or checking
    /// a foreign key once is far cheaper than doing it row by row.
    var indexesFile: SchemaFile? { get }
    /// The event types it reads; others are stepped over without decoding.
    var eventTypes: Set<String> { get }
    /// What one event writes, in order.
    func writes(for event: ProjectedEvent) -> [ProjectionWrite]
}

extension Projection {
    public var indexesFile: SchemaFile? { nil }

    /// Every `schema/` file it is built from.
    public var schemaFiles: [SchemaFile] { [tablesFile] + (indexesFile.map { [$0] } ?? []) }
}

/// One write of a projection.
public enum ProjectionWrite: Sendable {
    /// Any SQL statement; statements run in log order.
    case statement(Statement)
    /// The first row of an entity the event creates (a story, a commit, a test run, ...: the
    /// first event of its stream, `streamVersion` 1, or rows keyed by what only it names). No
    /// earlier event refers to it, so the runtime may insert a batch's creations of one table
    /// together, in one statement, ahead of the batch's other statements: most of a replay's
    /// rows, at a fraction of the cost of one statement each.
    case create(table: String, columns: [String], values: [(any PostgresEncodable)?])

    /// Changes to one existing row, found by its `key` columns: `set` is a SET list over the
    /// old row `t` and the new values `v` (a row of the table's type holding `values` under
    /// `columns`), e.g. `started_at = coalesce(t.started_at, v.started_at)`. The runtime applies
    /// a batch's updates of a table together, in waves that keep each row's updates in log order.
    ///
    /// A table is written either by `create`/`update` or by plain statements, never both: only
    /// then may the runtime reorder writes of different tables.
    case update(table: String, key: [String], set: String, columns: [String], values: [(any PostgresEncodable)?])

    /// A statement with parameters.
    public static func sql(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) -> ProjectionWrite {
        .statement(Statement(sql, parameters))
    }
}

/// An event as projections see it: decoded (and upcast), with its place in the log. A class:
/// a batch hands each event to every projection, and copying a decoded event is not cheap.
public final class ProjectedEvent: Sendable {
    public let position: Int64
    public let eventId: UUID
    public let stream: String
    /// 1 for the first event of its stream: the event that creates the entity.
    public let streamVersion: Int64
    /// The event's type name, as recorded.
    public let type: String
    public let recordedAt: Date
    public let event: DomainEvent

    public init(
        position: Int64, eventId: UUID, stream: String, streamVersion: Int64, type: String, recordedAt: Date, event: DomainEvent
    ) {
        self.position = position
        self.eventId = eventId
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.recordedAt = recordedAt
        self.event = event
    }

    /// Decodes a recorded event; throws `DomainError` when its data does not fit its type.
    public convenience init(_ recorded: RecordedEvent) throws {
        self.init(
            position: recorded.position, eventId: recorded.eventId, stream: recorded.stream,
            streamVersion: recorded.streamVersion, type: recorded.type, recordedAt: recorded.recordedAt,
            event: try DomainEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, text: recorded.data))
    }
}
