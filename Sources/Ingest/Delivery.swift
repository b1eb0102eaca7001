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

/// The answer to a request: one delivery's, or a batch's, one entry per event in order.
public enum IngestResult: Sendable, Encodable {
    case single(IngestAnswer)
    case batch([Result<IngestAnswer, IngestError>])

    struct Entry: Encodable {
        var delivery: IngestAnswer?
        var error: IngestError?
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let answer):
            try answer.encode(to: encoder)
        case .batch(let entries):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(entries.map { entry in
                switch entry {
                case .success(let answer): Entry(delivery: answer)
                case .failure(let error): Entry(error: error)
                }
            }, forKey: .deliveries)
        }
    }

    enum CodingKeys: String, CodingKey { case deliveries }

    /// The answers of the deliveries that got one.
    public var answers: [IngestAnswer] {
        switch self {
        case .single(let answer): [answer]
        case .batch(let entries): entries.compactMap { try? $0.get() }
        }
    }
}
