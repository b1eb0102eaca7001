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
    /// The shape of its tables. Raise it when `tablesSQL` or the meaning of a column changes:
    /// a worker running the new version rebuilds the read model from the log.
    var version: Int { get }
    /// Creates the projection's tables (unqualified names).
    var tablesSQL: String { get }
    /// The event types it reads; others are stepped over without decoding.
    var eventTypes: Set<String> { get }
    /// The statements that apply one event.
    func statements(for event: ProjectedEvent) -> [Statement]
}

/// An event as projections see it: decoded (and upcast), with its place in the log.
public struct ProjectedEvent: Sendable {
    public var position: Int64
    public var eventId: UUID
    public var stream: String
    public var recordedAt: Date
    public var event: DomainEvent

    public init(position: Int64, eventId: UUID, stream: String, recordedAt: Date, event: DomainEvent) {
        self.position = position
        self.eventId = eventId
        self.stream = stream
        self.recordedAt = recordedAt
        self.event = event
    }

    /// Decodes a recorded event; throws `DomainError` when its data does not fit its type.
    public init(_ recorded: RecordedEvent) throws {
        self.init(
            position: recorded.position, eventId: recorded.eventId, stream: recorded.stream,
            recordedAt: recorded.recordedAt,
            event: try DomainEvent.decode(
                type: recorded.type, schemaVersion: recorded.schemaVersion, data: Data(recorded.data.utf8)))
    }
}
