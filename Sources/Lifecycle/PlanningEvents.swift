public import Foundation

/// A story entered the backlog. Stream `story-{storyId}`.
public struct StoryCreated: Codable, Sendable, Equatable {
    public var storyId: String
    public var title: String
    /// 1 (highest) to 5.
    public var priority: Int
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(storyId: String, title: String, priority: Int, service: String, team: String? = nil, occurredAt: Date) {
        self.storyId = storyId
        self.title = title
        self.priority = priority
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A story's priority changed.
public struct StoryPrioritized: Codable, Sendable, Equatable {
    public var storyId: String
    /// 1 (highest) to 5.
    public var priority: Int
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(storyId: String, priority: Int, service: String, team: String? = nil, occurredAt: Date) {
        self.storyId = storyId
        self.priority = priority
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// Work on a story began: the start of its lead time.
public struct StoryStarted: Codable, Sendable, Equatable {
    public var storyId: String
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(storyId: String, service: String, team: String? = nil, occurredAt: Date) {
        self.storyId = storyId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A story was done.
public struct StoryCompleted: Codable, Sendable, Equatable {
    public var storyId: String
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(storyId: String, service: String, team: String? = nil, occurredAt: Date) {
        self.storyId = storyId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A story was dropped.
public struct StoryCancelled: Codable, Sendable, Equatable {
    public var storyId: String
    public var reason: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(storyId: String, reason: String? = nil, service: String, team: String? = nil, occurredAt: Date) {
        self.storyId = storyId
        self.reason = reason
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension StoryCreated: EventPayload {
    static let eventType = "StoryCreated"
    var streamId: String { "story-\(storyId)" }
    var event: DomainEvent { .storyCreated(self) }
}

extension StoryPrioritized: EventPayload {
    static let eventType = "StoryPrioritized"
    var streamId: String { "story-\(storyId)" }
    var event: DomainEvent { .storyPrioritized(self) }
}

extension StoryStarted: EventPayload {
    static let eventType = "StoryStarted"
    var streamId: String { "story-\(storyId)" }
    var event: DomainEvent { .storyStarted(self) }
}

extension StoryCompleted: EventPayload {
    static let eventType = "StoryCompleted"
    var streamId: String { "story-\(storyId)" }
    var event: DomainEvent { .storyCompleted(self) }
}

extension StoryCancelled: EventPayload {
    static let eventType = "StoryCancelled"
    var streamId: String { "story-\(storyId)" }
    var event: DomainEvent { .storyCancelled(self) }
}
