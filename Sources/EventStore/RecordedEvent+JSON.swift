import Foundation
import JSON
import Postgres

extension RecordedEvent {
    /// The event's public JSON shape, one object on one line; `data` and `metadata` are
    /// embedded exactly as the log stores them.
    public var jsonLine: String {
        var line = "{\"position\":\(position),\"eventId\":\"\(eventId.lowercasedString)\""
        line += ",\"stream\":\(JSONText.quoted(stream)),\"streamVersion\":\(streamVersion)"
        line += ",\"type\":\(JSONText.quoted(type)),\"schemaVersion\":\(schemaVersion)"
        line += ",\"data\":\(data),\"metadata\":\(metadata)"
        line += ",\"recordedAt\":\"\(PostgresTimestamp.format(recordedAt))\"}"
        return line
    }
}
