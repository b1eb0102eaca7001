public import Foundation

/// What a command wrote.
public struct CommandResult: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        public var eventId: String
        public var type: String
        public var stream: String
        public var streamVersion: Int64
        public var position: Int64
        public var recordedAt: Date
    }

    /// The command's name, e.g. `create-story`.
    public var command: String
    public var stream: String
    public var events: [Event]
    /// True when an idempotency key answered with the outcome stored the first time.
    public var replayed: Bool
}
