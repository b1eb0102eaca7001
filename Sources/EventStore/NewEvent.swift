public import Foundation
import JSON

/// An event about to be appended.
public struct NewEvent: Sendable {
    public static let maximumTypeLength = 128

    /// The event's identity (default: a new time-ordered UUIDv7); appending the same id again
    /// returns the first result.
    public var id: UUID
    /// The event type, e.g. `BuildPassed`: a letter, then letters, digits, `_` or `.`.
    public var type: String
    /// The version of the type's data schema, ≥ 1.
    public var schemaVersion: Int
    /// The payload: a JSON object, as text.
    public private(set) var data: String
    /// Context about the payload (causation, correlation, actor): a JSON object, as text.
    public private(set) var metadata: String
    /// Whether this process wrote `data` and `metadata` itself, with an encoder, so an append
    /// need not scan them again.
    private var isEncoded = false

    public init(
        id: UUID = .version7(), type: String, schemaVersion: Int = 1, data: String = "{}", metadata: String = "{}"
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
    }

    /// An event whose data and metadata this process encoded (from values it read through
    /// `JSONScanner` and field rules): an append trusts the JSON instead of scanning it again.
    public static func encoded(
        id: UUID = .version7(), type: String, schemaVersion: Int = 1, data: String, metadata: String
    ) -> NewEvent {
        var event = NewEvent(id: id, type: type, schemaVersion: schemaVersion, data: data, metadata: metadata)
        event.isEncoded = true
        return event
    }

    /// Checks what the database cannot check as clearly.
    func validate() throws(EventStoreError) {
        guard Self.isValidType(type) else {
            throw EventStoreError(
                .invalidEventType,
                "event type \(StreamName.quoted(type)) must start with a letter and hold only letters, digits, _ and . (at most \(Self.maximumTypeLength))",
                field: "type")
        }
        guard schemaVersion >= 1 else {
            throw EventStoreError(.invalidArgument, "schema version must be ≥ 1, not \(schemaVersion)", field: "schemaVersion")
        }
    }

    public static func isValidType(_ type: String) -> Bool {
        guard let first = type.unicodeScalars.first, first.isASCIILetter, type.utf8.count <= maximumTypeLength else {
            return false
        }
        return type.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "." }
    }

    /// Refuses data or metadata that is not one JSON object jsonb can store (see `JSONLimits`).
    func validateJSON() throws(EventStoreError) {
        guard !isEncoded else { return }
        try Self.validateObject(data, field: "data")
        try Self.validateObject(metadata, field: "metadata")
    }

    private static func validateObject(_ text: String, field: String) throws(EventStoreError) {
        do {
            try JSONScanner.validateObject(text)
        } catch {
            throw EventStoreError(.invalidJSON, "\(field) is not a valid JSON object: \(error)", field: field)
        }
    }
}
