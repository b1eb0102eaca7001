public import Foundation

/// Records a commit that reached a branch: `integrate-commit` → `CommitIntegrated`.
public struct IntegrateCommit: Codable, Sendable, Equatable {
    public var sha: String
    public var branch: String?
    public var message: String?
    public var author: String?
    public var storyIds: [String]?
    public var pullRequest: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension IntegrateCommit: CommandPayload {
    static let spec = CommandSpec<Self>(
        "integrate-commit", Command.integrateCommit, stream: { "commit-\($0.sha.lowercased())" },
        fields: [
            .sha("sha"), .text("branch", 1...255, .optional(default: "`main`")), .prose("message"),
            .text("author", 1...200, .optional),
            .ids("storyIds", maximum: ListLimits.storyIds, .optional, "the event links at most 100: these, then keys the message mentions"),
            .text("pullRequest", 1...200, .optional, #"e.g. `"482"` or a URL"#),
        ])
}

/// Records that a CI build began: `start-build` → `BuildStarted`.
public struct StartBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension StartBuild: CommandPayload {
    static let spec = CommandSpec<Self>(
        "start-build", Command.startBuild, stream: { "build-\($0.buildId)" }, fields: [.id("buildId"), .sha("sha")])
}

/// Records that a CI build passed: `pass-build` → `BuildPassed`.
public struct PassBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension PassBuild: CommandPayload {
    static let spec = CommandSpec<Self>(
        "pass-build", Command.passBuild, stream: { "build-\($0.buildId)" },
        fields: [.id("buildId"), .sha("sha"), .duration()])
}

/// Records that a CI build failed: `fail-build` → `BuildFailed`.
public struct FailBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var reason: String?
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension FailBuild: CommandPayload {
    static let spec = CommandSpec<Self>(
        "fail-build", Command.failBuild, stream: { "build-\($0.buildId)" },
        fields: [.id("buildId"), .sha("sha"), .prose("reason"), .duration()])
}
