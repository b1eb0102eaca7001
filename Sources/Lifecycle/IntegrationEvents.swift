public import Foundation

/// A commit reached a branch (pushed, or merged through a pull request). Stream `commit-{sha}`.
public struct CommitIntegrated: Codable, Sendable, Equatable {
    /// Lowercase hexadecimal.
    public var sha: String
    public var branch: String
    public var message: String?
    public var author: String?
    /// The stories the commit belongs to: those the command named and those its message mentions,
    /// deduplicated and sorted.
    public var storyIds: [String]
    public var pullRequest: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        sha: String, branch: String, message: String? = nil, author: String? = nil, storyIds: [String] = [],
        pullRequest: String? = nil, service: String, team: String? = nil, occurredAt: Date
    ) {
        self.sha = sha
        self.branch = branch
        self.message = message
        self.author = author
        self.storyIds = storyIds
        self.pullRequest = pullRequest
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A CI build of a commit began. Stream `build-{buildId}`.
public struct BuildStarted: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(buildId: String, sha: String, service: String, team: String? = nil, occurredAt: Date) {
        self.buildId = buildId
        self.sha = sha
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A CI build passed. Schema v2; v1 stored `durationMs` (integer milliseconds).
public struct BuildPassed: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var durationSeconds: Double?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        buildId: String, sha: String, durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date
    ) {
        self.buildId = buildId
        self.sha = sha
        self.durationSeconds = durationSeconds
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A CI build failed. Schema v2; v1 stored `durationMs` (integer milliseconds).
public struct BuildFailed: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var reason: String?
    public var durationSeconds: Double?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        buildId: String, sha: String, reason: String? = nil, durationSeconds: Double? = nil, service: String,
        team: String? = nil, occurredAt: Date
    ) {
        self.buildId = buildId
        self.sha = sha
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension CommitIntegrated: EventPayload {
    static let eventType = "CommitIntegrated"
    var streamId: String { "commit-\(sha)" }
    var event: DomainEvent { .commitIntegrated(self) }
}

extension BuildStarted: EventPayload {
    static let eventType = "BuildStarted"
    var streamId: String { "build-\(buildId)" }
    var event: DomainEvent { .buildStarted(self) }
}

extension BuildPassed: EventPayload {
    static let eventType = "BuildPassed"
    static let schemaVersion = 2
    var streamId: String { "build-\(buildId)" }
    var event: DomainEvent { .buildPassed(self) }
}

extension BuildFailed: EventPayload {
    static let eventType = "BuildFailed"
    static let schemaVersion = 2
    var streamId: String { "build-\(buildId)" }
    var event: DomainEvent { .buildFailed(self) }
}
