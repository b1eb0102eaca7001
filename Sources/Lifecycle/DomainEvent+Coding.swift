public import Foundation
import JSON

extension DomainEvent {
    /// The event's data as a JSON object (text), to store in the log's `data` column: sorted keys,
    /// dates as ISO 8601 UTC with milliseconds, absent optionals left out, no `type`/`schemaVersion` inside.
    public func encodedData() throws -> String {
        String(decoding: try EventJSON.encoder.encode(payload), as: UTF8.self)
    }

    /// Reads an event back from the log: its type, schema version and data. Old schema versions are
    /// upcast to the current struct (the log is never rewritten).
    ///
    /// Throws `DomainError` `unknown_event_type` for a type this build does not know, and
    /// `undecodable_event` for data that does not fit the type or a schema version it cannot read.
    public static func decode(type: String, schemaVersion: Int, data: Data) throws -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, bytes: Array(data))
    }

    /// The same for data as the log's text (`RecordedEvent.data`): one copy of the bytes fewer,
    /// for a replay that decodes every event of the log.
    public static func decode(type: String, schemaVersion: Int, text: String) throws -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, bytes: Array(text.utf8))
    }

    private static func decode(type: String, schemaVersion: Int, bytes: [UInt8]) throws -> DomainEvent {
        guard let payloadType = payloadTypesByName[type] else {
            throw DomainError(
                code: "unknown_event_type", message: "event type \"\(type)\" is not in this build's catalogue")
        }
        let current = schemaVersion == payloadType.schemaVersion
            ? bytes : Array(try EventUpcaster.upcast(type: type, data: Data(bytes), from: schemaVersion))
        do {
            return try decode(payloadType, current)
        } catch {
            throw DomainError(
                code: "undecodable_event",
                message: "\(type) v\(schemaVersion) data does not fit the \(type) schema: \(reason(error))")
        }
    }

    /// A decoding error in one line: the field and what was wrong with it.
    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "\(key.stringValue) is missing"
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? context.debugDescription
                : "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }

    private static func decode<Payload: EventPayload>(_ type: Payload.Type, _ bytes: [UInt8]) throws -> DomainEvent {
        try JSONObjectDecoder.decode(Payload.self, from: bytes).event
    }
}
