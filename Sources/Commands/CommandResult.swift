public import Foundation
import EventStore
import JSON

/// What a command wrote.
public struct CommandResult: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        public var eventId: String
        public var type: String
        public var stream: String
        public var streamVersion: Int64
        public var position: Int64
        public var recordedAt: Date

        public init(eventId: String, type: String, stream: String, streamVersion: Int64, position: Int64, recordedAt: Date) {
            self.eventId = eventId
            self.type = type
            self.stream = stream
            self.streamVersion = streamVersion
            self.position = position
            self.recordedAt = recordedAt
        }
    }

    /// The command's name, e.g. `create-story`.
    public var command: String
    public var stream: String
    public var events: [Event]
    /// True when an idempotency key answered with the outcome stored the first time.
    public var replayed: Bool

    public init(command: String, stream: String, events: [Event], replayed: Bool) {
        self.command = command
        self.stream = stream
        self.events = events
        self.replayed = replayed
    }
}

extension CommandResult {
    /// The result as JSON text, written by hand: the same shape and key order as
    /// `CommandJSON.encoder` gives, without its cost on every command answered.
    public var json: String {
        var text = #"{"command":\#(JSONText.quoted(command)),"events":["#
        for (index, event) in events.enumerated() {
            if index > 0 { text += "," }
            text += #"{"eventId":"\#(event.eventId)","position":\#(event.position),"#
            text += #""recordedAt":"\#(LogTimestamp.format(event.recordedAt))","stream":\#(JSONText.quoted(event.stream)),"#
            text += #""streamVersion":\#(event.streamVersion),"type":\#(JSONText.quoted(event.type))}"#
        }
        return text + #"],"replayed":\#(replayed),"stream":\#(JSONText.quoted(stream))}"#
    }
}
