import Foundation
import Lifecycle
import Testing

/// The server's clock in every test: 2025-03-01T12:00:00Z.
let now = Date(timeIntervalSince1970: 1_740_830_400)

/// 2025-03-01T11:59:00Z, a minute before `now`: the `occurredAt` most commands in these tests carry.
let earlier = Date(timeIntervalSince1970: 1_740_830_340)

/// Decodes a command from JSON text.
func decode(_ name: String, _ json: String) throws(DomainError) -> Command {
    try Command.decode(name: name, json: Data(json.utf8))
}

/// The state of a stream after the given events.
func fold(_ events: [DomainEvent]) -> StreamState {
    events.reduce(StreamState.empty, Decider.evolve)
}

/// Decodes a command and decides it against the given events of its stream and of related streams.
func decide(
    _ name: String, _ json: String, given events: [DomainEvent] = [], related: [String: [DomainEvent]] = [:],
    policy: Policy = Policy()
) throws(DomainError) -> [DomainEvent] {
    let command = try decode(name, json)
    return try Decider.decide(
        command, state: fold(events), related: related.mapValues(fold), now: now, policy: policy)
}

/// A command that must be refused, with the code and field it must be refused with.
struct Refusal: Sendable, CustomTestStringConvertible {
    var code: String
    var field: String?
    var command: String
    var json: String
    var given: [DomainEvent] = []
    var related: [String: [DomainEvent]] = [:]
    var policy = Policy()

    init(
        _ code: String, field: String? = nil, _ command: String, _ json: String, given: [DomainEvent] = [],
        related: [String: [DomainEvent]] = [:], policy: Policy = Policy()
    ) {
        self.code = code
        self.field = field
        self.command = command
        self.json = json
        self.given = given
        self.related = related
        self.policy = policy
    }

    var testDescription: String { "\(command) → \(code)\(field.map { " (\($0))" } ?? "")" }

    /// Checks that deciding the command throws exactly this code and field, with a message.
    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let events = try decide(command, json, given: given, related: related, policy: policy)
            Issue.record("expected \(code), got \(events)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.field == field, sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        }
    }
}
