public import Foundation

/// Records a commit that reached a branch: `integrate-commit` → `CommitIntegrated`.
public struct IntegrateCommit: Codable, Sendable, Equatable {
    /// 7–40 hexadecimal characters, either case; stored lowercase.
    public var sha: String
    /// 1–255 characters; nil means `main`.
    public var branch: String?
    /// At most 10,000 characters; story keys in it (`PROJ-123`) link the commit to stories.
    public var message: String?
    /// 1–200 characters.
    public var author: String?
    /// Stories the commit belongs to besides those its message mentions.
    public var storyIds: [String]?
    /// 1–200 characters, e.g. `"482"` or a URL.
    public var pullRequest: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        sha: String, branch: String? = nil, message: String? = nil, author: String? = nil, storyIds: [String]? = nil,
        pullRequest: String? = nil, service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.sha = sha
        self.branch = branch
        self.message = message
        self.author = author
        self.storyIds = storyIds
        self.pullRequest = pullRequest
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a CI build began: `start-build` → `BuildStarted`.
public struct StartBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(buildId: String, sha: String, service: String, team: String? = nil, occurredAt: Date? = nil) {
        self.buildId = buildId
        self.sha = sha
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a CI build passed: `pass-build` → `BuildPassed`.
public struct PassBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    /// 0 or more.
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        buildId: String, sha: String, durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date? = nil
    ) {
        self.buildId = buildId
        self.sha = sha
        self.durationSeconds = durationSeconds
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a CI build failed: `fail-build` → `BuildFailed`.
public struct FailBuild: Codable, Sendable, Equatable {
    public var buildId: String
    public var sha: String
    /// At most 10,000 characters.
    public var reason: String?
    /// 0 or more.
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        buildId: String, sha: String, reason: String? = nil, durationSeconds: Double? = nil, service: String,
        team: String? = nil, occurredAt: Date? = nil
    ) {
        self.buildId = buildId
        self.sha = sha
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

extension IntegrateCommit: CommandPayload {
    static let name = "integrate-commit"
    var streamId: String { "commit-\(sha.lowercased())" }
    var command: Command { .integrateCommit(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            sha: json.string("sha"), branch: json.optionalString("branch"), message: json.optionalString("message"),
            author: json.optionalString("author"), storyIds: json.optionalStrings("storyIds"),
            pullRequest: json.optionalString("pullRequest"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> IntegrateCommit {
        var copy = self
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.length(branch, "branch", 1...255)
        try FieldRules.length(message, "message", 0...10_000)
        try FieldRules.length(author, "author", 1...200)
        try FieldRules.entityIds(storyIds, "storyIds")
        try FieldRules.length(pullRequest, "pullRequest", 1...200)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension StartBuild: CommandPayload {
    static let name = "start-build"
    var streamId: String { "build-\(buildId)" }
    var command: Command { .startBuild(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            buildId: json.string("buildId"), sha: json.string("sha"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> StartBuild {
        var copy = self
        try FieldRules.entityId(buildId, "buildId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension PassBuild: CommandPayload {
    static let name = "pass-build"
    var streamId: String { "build-\(buildId)" }
    var command: Command { .passBuild(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            buildId: json.string("buildId"), sha: json.string("sha"),
            durationSeconds: json.optionalNumber("durationSeconds"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> PassBuild {
        var copy = self
        try FieldRules.entityId(buildId, "buildId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.duration(durationSeconds)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension FailBuild: CommandPayload {
    static let name = "fail-build"
    var streamId: String { "build-\(buildId)" }
    var command: Command { .failBuild(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            buildId: json.string("buildId"), sha: json.string("sha"), reason: json.optionalString("reason"),
            durationSeconds: json.optionalNumber("durationSeconds"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> FailBuild {
        var copy = self
        try FieldRules.entityId(buildId, "buildId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.length(reason, "reason", 0...10_000)
        try FieldRules.duration(durationSeconds)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}
