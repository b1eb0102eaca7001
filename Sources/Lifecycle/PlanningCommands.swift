public import Foundation

/// Puts a story in the backlog: `create-story` → `StoryCreated`.
public struct CreateStory: Codable, Sendable, Equatable {
    public var storyId: String
    /// 1–500 characters.
    public var title: String
    /// 1 (highest) to 5; nil means 3.
    public var priority: Int?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        storyId: String, title: String, priority: Int? = nil, service: String, team: String? = nil,
        occurredAt: Date? = nil
    ) {
        self.storyId = storyId
        self.title = title
        self.priority = priority
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Changes a story's priority: `prioritize-story` → `StoryPrioritized`.
public struct PrioritizeStory: Codable, Sendable, Equatable {
    public var storyId: String
    /// 1 (highest) to 5.
    public var priority: Int
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(storyId: String, priority: Int, service: String, team: String? = nil, occurredAt: Date? = nil) {
        self.storyId = storyId
        self.priority = priority
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Starts work on a story: `start-story` → `StoryStarted`.
public struct StartStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(storyId: String, service: String, team: String? = nil, occurredAt: Date? = nil) {
        self.storyId = storyId
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Marks a story done: `complete-story` → `StoryCompleted`.
public struct CompleteStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(storyId: String, service: String, team: String? = nil, occurredAt: Date? = nil) {
        self.storyId = storyId
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Drops a story: `cancel-story` → `StoryCancelled`.
public struct CancelStory: Codable, Sendable, Equatable {
    public var storyId: String
    /// At most 10,000 characters.
    public var reason: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        storyId: String, reason: String? = nil, service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.storyId = storyId
        self.reason = reason
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// The priorities a story may have, 1 being the highest.
let storyPriorities = 1...5

extension CreateStory: CommandPayload {
    static let name = "create-story"
    var streamId: String { "story-\(storyId)" }
    var command: Command { .createStory(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            storyId: json.string("storyId"), title: json.string("title"), priority: json.optionalInt("priority"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> CreateStory {
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.length(title, "title", 1...500)
        try FieldRules.range(
            priority, "priority", storyPriorities, code: "priority_out_of_range", meaning: " (1 = highest)")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension PrioritizeStory: CommandPayload {
    static let name = "prioritize-story"
    var streamId: String { "story-\(storyId)" }
    var command: Command { .prioritizeStory(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            storyId: json.string("storyId"), priority: json.int("priority"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> PrioritizeStory {
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.range(
            priority, "priority", storyPriorities, code: "priority_out_of_range", meaning: " (1 = highest)")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension StartStory: CommandPayload {
    static let name = "start-story"
    var streamId: String { "story-\(storyId)" }
    var command: Command { .startStory(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            storyId: json.string("storyId"), service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> StartStory {
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension CompleteStory: CommandPayload {
    static let name = "complete-story"
    var streamId: String { "story-\(storyId)" }
    var command: Command { .completeStory(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            storyId: json.string("storyId"), service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> CompleteStory {
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension CancelStory: CommandPayload {
    static let name = "cancel-story"
    var streamId: String { "story-\(storyId)" }
    var command: Command { .cancelStory(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            storyId: json.string("storyId"), reason: json.optionalString("reason"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> CancelStory {
        try FieldRules.entityId(storyId, "storyId")
        try FieldRules.length(reason, "reason", 0...10_000)
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}
