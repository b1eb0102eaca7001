import Foundation
public import JSON
import Lifecycle

/// A lifecycle command a delivery maps to: a catalogue name and its fields, run through the
/// same command handler (and so the same field rules) as `POST /v1/commands/{name}`.
public struct MappedCommand: Sendable, Equatable {
    public var name: String
    public var fields: [String: JSONValue]
    /// Refusal codes that mean "this is already in the log" (a redelivered fact, or one that
    /// arrived by another route first): the command counts as recorded, with no new event.
    public var alreadyRecorded: Set<String>

    public init(_ name: String, _ fields: [String: JSONValue], alreadyRecorded: Set<String> = []) {
        self.name = name
        self.fields = fields.filter { !$0.value.isNull }
        self.alreadyRecorded = alreadyRecorded
    }

    /// The command's body as the handler reads it: keys sorted, so a redelivery hashes alike.
    public var body: String { JSONText.write(.object(fields)) }

    /// The stream it writes, when it decodes (a command that does not is refused on its own).
    var stream: String? { try? Command.decode(name: name, json: Data(body.utf8)).streamId }
}

/// What a mapping made of a delivery.
public enum MappingOutcome: Sendable, Equatable {
    /// Record these commands, in order.
    case commands([MappedCommand])
    /// Deliberately not recorded (a push to a feature branch, a ping): why.
    case ignored(String)
    /// Should have been recorded but cannot be as the source is set up: why. Kept for retry.
    case deadLetter(String)
}

/// A mapping's view of a delivery: the event's name (a header for most tools) and its payload.
public struct DeliveryPayload: Sendable {
    /// `push`, `workflow_run`, a CloudEvents type, …
    public var event: String
    public var body: JSONValue
    /// Request headers, names lowercased.
    public var headers: [String: String]
    /// The delivery's key (the tool's id, `Idempotency-Key`, or a digest): what names a fact
    /// that carries no id of its own (a survey answer), the same on every redelivery.
    public var key: String

    public init(event: String, body: JSONValue, headers: [String: String] = [:], key: String = "") {
        self.event = event
        self.body = body
        self.headers = headers
        self.key = key
    }
}

