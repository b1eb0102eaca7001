public import Foundation

/// An event as the log recorded it.
public struct RecordedEvent: Sendable, Hashable {
    /// Position in the whole log: increasing, and never reused.
    public var position: Int64
    public var eventId: UUID
    public var stream: String
    /// Position within the stream, 1 for its first event.
    public var streamVersion: Int64
    public var type: String
    public var schemaVersion: Int
    /// The payload, a JSON object as text (as PostgreSQL's jsonb prints it).
    public var data: String
    /// The metadata, a JSON object as text (`{}` when read without it).
    public var metadata: String
    /// When the log recorded the event (not when it happened: that is in `data`).
    public var recordedAt: Date

    public init(
        position: Int64, eventId: UUID, stream: String, streamVersion: Int64, type: String, schemaVersion: Int,
        data: String, metadata: String, recordedAt: Date
    ) {
        self.position = position
        self.eventId = eventId
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
    }
}

/// Where one appended event landed.
public struct AppendedEvent: Sendable, Hashable {
    public var eventId: UUID
    public var streamVersion: Int64
    public var position: Int64
    public var recordedAt: Date

    public init(eventId: UUID, streamVersion: Int64, position: Int64, recordedAt: Date) {
        self.eventId = eventId
        self.streamVersion = streamVersion
        self.position = position
        self.recordedAt = recordedAt
    }
}

/// The outcome of an append.
public struct AppendResult: Sendable, Hashable {
    public var stream: String
    /// The events in stream order.
    public var events: [AppendedEvent]
    /// True when every event id was already recorded: nothing was written and these are the
    /// original positions.
    public var duplicate: Bool

    public init(stream: String, events: [AppendedEvent], duplicate: Bool) {
        self.stream = stream
        self.events = events
        self.duplicate = duplicate
    }

    /// The stream's version after the append (its last event's version).
    public var streamVersion: Int64 { events.last?.streamVersion ?? 0 }
    /// The last event's position.
    public var position: Int64 { events.last?.position ?? 0 }
}
