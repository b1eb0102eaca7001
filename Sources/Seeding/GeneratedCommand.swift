public import Foundation

/// One command of a generated history, as a client would send it: a name and a JSON object body.
public struct GeneratedCommand: Sendable, Hashable {
    /// The command's name, e.g. `create-story` (see docs/events.md).
    public var name: String
    /// The command's body, a JSON object that always carries `occurredAt`.
    public var body: Data

    public init(name: String, body: Data) {
        self.name = name
        self.body = body
    }
}
