public import Foundation

/// Puts a story in the backlog: `create-story` → `StoryCreated`.
public struct CreateStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var title: String
    public var priority: Int?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension CreateStory: CommandPayload {
    static let spec = CommandSpec<Self>(
        "create-story", Command.createStory, stream: { "story-\($0.storyId)" },
        fields: [.id("storyId"), .text("title", 1...500), .priority(.optional(default: "3"))])
}

/// Changes a story's priority: `prioritize-story` → `StoryPrioritized`.
public struct PrioritizeStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var priority: Int
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension PrioritizeStory: CommandPayload {
    static let spec = CommandSpec<Self>(
        "prioritize-story", Command.prioritizeStory, stream: { "story-\($0.storyId)" },
        fields: [.id("storyId"), .priority(.required)])
}

/// Starts work on a story: `start-story` → `StoryStarted`.
public struct StartStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension StartStory: CommandPayload {
    static let spec = CommandSpec<Self>(
        "start-story", Command.startStory, stream: { "story-\($0.storyId)" }, fields: [.id("storyId")])
}

/// Marks a story done: `complete-story` → `StoryCompleted`.
public struct CompleteStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension CompleteStory: CommandPayload {
    static let spec = CommandSpec<Self>(
        "complete-story", Command.completeStory, stream: { "story-\($0.storyId)" }, fields: [.id("storyId")])
}

/// Drops a story: `cancel-story` → `StoryCancelled`.
public struct CancelStory: Codable, Sendable, Equatable {
    public var storyId: String
    public var reason: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension CancelStory: CommandPayload {
    static let spec = CommandSpec<Self>(
        "cancel-story", Command.cancelStory, stream: { "story-\($0.storyId)" },
        fields: [.id("storyId"), .prose("reason")])
}

/// The priorities a story may have, 1 being the highest.
let storyPriorities = 1...5

extension FieldSpec {
    fileprivate static func priority(_ presence: Presence) -> FieldSpec {
        .integer("priority", storyPriorities, code: "priority_out_of_range", meaning: " (1 = highest)", presence)
    }
}
