public import Commands
public import Foundation

/// What became of a delivery.
public enum Disposition: String, Sendable, Codable, CaseIterable {
    case recorded
    case ignored
    case deadLettered = "dead-lettered"
}

/// The answer to a delivery, stored with it so a redelivery gets it again.
public struct IngestAnswer: Sendable, Hashable, Codable {
    /// The delivery's id in Loopline (`loopline deliveries show ID`), a lowercase UUID.
    public var delivery: String
    public var disposition: Disposition
    public var reason: String?
    /// The events written, in order; empty unless recorded (or partly recorded before a refusal).
    public var events: [CommandResult.Event]
    /// True when this is the stored answer of an earlier delivery with the same id.
    public var replayed: Bool

    public init(delivery: UUID, disposition: Disposition, reason: String?, events: [CommandResult.Event], replayed: Bool = false) {
        self.delivery = delivery.uuidString.lowercased()
        self.disposition = disposition
        self.reason = reason
        self.events = events
        self.replayed = replayed
    }
}

/// A delivery as kept: for `loopline deliveries list|show` and for retrying dead letters.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    /// A lowercase UUID.
    public var id: String
    public var source: String
    public var kind: SourceKind
    /// The tool's delivery id (`X-GitHub-Delivery`), or a digest of the body when it sent none.
    public var deliveryKey: String
    public var event: String
    public var disposition: String
    public var reason: String?
    public var answer: IngestAnswer?
    /// The request headers, without any that could carry a secret.
    public var headers: [String: String]
    /// The body, kept for dead letters only, as text when it is UTF-8.
    public var body: String?
    public var attempts: Int
    public var receivedAt: Date
    public var updatedAt: Date
}

/// Headers that may carry a secret are never stored or logged.
enum HeaderScrubber {
    static let secretWords = ["authorization", "cookie", "token", "signature", "secret", "key", "password"]

    static func scrubbed(_ headers: [String: String]) -> [String: String] {
        headers.filter { name, _ in !secretWords.contains(where: name.lowercased().contains) }
    }
}
