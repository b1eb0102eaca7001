public import Foundation

/// The event that stopped a projection, and why. Stored in `projections.last_error`; the
/// projection stays stopped (others go on) until a replay rebuilds it.
public struct ProjectionFailure: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    public var position: Int64
    public var eventId: UUID
    public var type: String
    public var message: String
    public var at: Date

    public init(position: Int64, eventId: UUID, type: String, message: String, at: Date = Date()) {
        self.position = position
        self.eventId = eventId
        self.type = type
        self.message = message
        self.at = at
    }

    public var description: String { "event \(position) (\(type), \(eventId.uuidString.lowercased())): \(message)" }

    enum CodingKeys: String, CodingKey { case position, eventId, type, message, at }

    /// Event ids in lower case, as everywhere else in the API.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(position, forKey: .position)
        try container.encode(eventId.uuidString.lowercased(), forKey: .eventId)
        try container.encode(type, forKey: .type)
        try container.encode(message, forKey: .message)
        try container.encode(at, forKey: .at)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
