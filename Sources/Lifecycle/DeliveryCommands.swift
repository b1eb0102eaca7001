public import Foundation

/// Records that a deployment began: `start-deployment` → `DeploymentStarted`.
public struct StartDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    /// One of `Policy.environments`.
    public var environment: String
    public var sha: String
    /// The build whose artefact is deployed; a failed build may not be deployed.
    public var buildId: String?
    /// 1–100 characters.
    public var version: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a deployment finished well: `succeed-deployment` → `DeploymentSucceeded`.
public struct SucceedDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    /// 0 or more.
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        durationSeconds: Double? = nil, service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.durationSeconds = durationSeconds
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a deployment did not complete: `fail-deployment` → `DeploymentFailed`.
public struct FailDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    /// At most 10,000 characters.
    public var reason: String?
    /// 0 or more.
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        reason: String? = nil, durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date? = nil
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Undoes a successful deployment: `roll-back-deployment` → `DeploymentRolledBack`.
public struct RollBackDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    /// At most 10,000 characters.
    public var reason: String?
    /// 1–100 characters: the version running afterwards.
    public var toVersion: String?
    /// The commit running afterwards.
    public var toSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        deploymentId: String, reason: String? = nil, toVersion: String? = nil, toSha: String? = nil,
        service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.deploymentId = deploymentId
        self.reason = reason
        self.toVersion = toVersion
        self.toSha = toSha
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Releases a version to users: `publish-release` → `ReleasePublished`.
public struct PublishRelease: Codable, Sendable, Equatable {
    public var releaseId: String
    /// 1–100 characters, e.g. `2.4.0`.
    public var version: String
    public var sha: String?
    public var deploymentIds: [String]?
    /// At most 10,000 characters.
    public var notes: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        releaseId: String, version: String, sha: String? = nil, deploymentIds: [String]? = nil, notes: String? = nil,
        service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.releaseId = releaseId
        self.version = version
        self.sha = sha
        self.deploymentIds = deploymentIds
        self.notes = notes
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// The build stream a deployment command needs to see, when it names a build.
private func buildStream(_ buildId: String?) -> [String] {
    buildId.map { ["build-\($0)"] } ?? []
}

extension StartDeployment: CommandPayload {
    static let name = "start-deployment"
    var streamId: String { "deployment-\(deploymentId)" }
    var relatedStreamIds: [String] { buildStream(buildId) }
    var command: Command { .startDeployment(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            deploymentId: json.string("deploymentId"), environment: json.string("environment"),
            sha: json.string("sha"), buildId: json.optionalString("buildId"), version: json.optionalString("version"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> StartDeployment {
        var copy = self
        try FieldRules.entityId(deploymentId, "deploymentId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.entityId(buildId, "buildId")
        try FieldRules.length(version, "version", 1...100)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension SucceedDeployment: CommandPayload {
    static let name = "succeed-deployment"
    var streamId: String { "deployment-\(deploymentId)" }
    var relatedStreamIds: [String] { buildStream(buildId) }
    var command: Command { .succeedDeployment(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            deploymentId: json.string("deploymentId"), environment: json.string("environment"),
            sha: json.string("sha"), buildId: json.optionalString("buildId"), version: json.optionalString("version"),
            durationSeconds: json.optionalNumber("durationSeconds"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> SucceedDeployment {
        var copy = self
        try FieldRules.entityId(deploymentId, "deploymentId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.entityId(buildId, "buildId")
        try FieldRules.length(version, "version", 1...100)
        try FieldRules.duration(durationSeconds)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension FailDeployment: CommandPayload {
    static let name = "fail-deployment"
    var streamId: String { "deployment-\(deploymentId)" }
    var relatedStreamIds: [String] { buildStream(buildId) }
    var command: Command { .failDeployment(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            deploymentId: json.string("deploymentId"), environment: json.string("environment"),
            sha: json.string("sha"), buildId: json.optionalString("buildId"), version: json.optionalString("version"),
            reason: json.optionalString("reason"), durationSeconds: json.optionalNumber("durationSeconds"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> FailDeployment {
        var copy = self
        try FieldRules.entityId(deploymentId, "deploymentId")
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.entityId(buildId, "buildId")
        try FieldRules.length(version, "version", 1...100)
        try FieldRules.length(reason, "reason", 0...10_000)
        try FieldRules.duration(durationSeconds)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension RollBackDeployment: CommandPayload {
    static let name = "roll-back-deployment"
    var streamId: String { "deployment-\(deploymentId)" }
    var command: Command { .rollBackDeployment(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            deploymentId: json.string("deploymentId"), reason: json.optionalString("reason"),
            toVersion: json.optionalString("toVersion"), toSha: json.optionalString("toSha"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> RollBackDeployment {
        var copy = self
        try FieldRules.entityId(deploymentId, "deploymentId")
        try FieldRules.length(reason, "reason", 0...10_000)
        try FieldRules.length(toVersion, "toVersion", 1...100)
        copy.toSha = try FieldRules.optionalSha(toSha, "toSha")
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension PublishRelease: CommandPayload {
    static let name = "publish-release"
    var streamId: String { "release-\(releaseId)" }
    var command: Command { .publishRelease(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            releaseId: json.string("releaseId"), version: json.string("version"), sha: json.optionalString("sha"),
            deploymentIds: json.optionalStrings("deploymentIds"), notes: json.optionalString("notes"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> PublishRelease {
        var copy = self
        try FieldRules.entityId(releaseId, "releaseId")
        try FieldRules.length(version, "version", 1...100)
        copy.sha = try FieldRules.optionalSha(sha, "sha")
        try FieldRules.entityIds(deploymentIds, "deploymentIds")
        try FieldRules.length(notes, "notes", 0...10_000)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}
