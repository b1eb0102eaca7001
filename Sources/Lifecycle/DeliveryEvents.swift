public import Foundation

/// A deployment of a commit to an environment began. Stream `deployment-{deploymentId}`.
public struct DeploymentStarted: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    /// The build whose artefact is deployed, if known.
    public var buildId: String?
    public var version: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A deployment finished and the commit runs in the environment: what deployment frequency and lead
/// time count.
public struct DeploymentSucceeded: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var durationSeconds: Double?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        durationSeconds: Double? = nil, service: String, team: String? = nil, occurredAt: Date
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.durationSeconds = durationSeconds
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A deployment did not complete.
public struct DeploymentFailed: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var reason: String?
    public var durationSeconds: Double?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        reason: String? = nil, durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A successful deployment was undone. `environment` and `sha` are those of the deployment rolled back.
public struct DeploymentRolledBack: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var reason: String?
    /// The version running after the rollback, if known.
    public var toVersion: String?
    /// The commit running after the rollback, if known.
    public var toSha: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        deploymentId: String, environment: String, sha: String, reason: String? = nil, toVersion: String? = nil,
        toSha: String? = nil, service: String, team: String? = nil, occurredAt: Date
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.reason = reason
        self.toVersion = toVersion
        self.toSha = toSha
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A version was released to users. Stream `release-{releaseId}`.
public struct ReleasePublished: Codable, Sendable, Equatable {
    public var releaseId: String
    public var version: String
    public var sha: String?
    /// The deployments that shipped it.
    public var deploymentIds: [String]
    public var notes: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        releaseId: String, version: String, sha: String? = nil, deploymentIds: [String] = [], notes: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.releaseId = releaseId
        self.version = version
        self.sha = sha
        self.deploymentIds = deploymentIds
        self.notes = notes
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension DeploymentStarted: EventPayload {
    static let eventType = "DeploymentStarted"
    var streamId: String { "deployment-\(deploymentId)" }
    var event: DomainEvent { .deploymentStarted(self) }
}

extension DeploymentSucceeded: EventPayload {
    static let eventType = "DeploymentSucceeded"
    var streamId: String { "deployment-\(deploymentId)" }
    var event: DomainEvent { .deploymentSucceeded(self) }
}

extension DeploymentFailed: EventPayload {
    static let eventType = "DeploymentFailed"
    var streamId: String { "deployment-\(deploymentId)" }
    var event: DomainEvent { .deploymentFailed(self) }
}

extension DeploymentRolledBack: EventPayload {
    static let eventType = "DeploymentRolledBack"
    var streamId: String { "deployment-\(deploymentId)" }
    var event: DomainEvent { .deploymentRolledBack(self) }
}

extension ReleasePublished: EventPayload {
    static let eventType = "ReleasePublished"
    var streamId: String { "release-\(releaseId)" }
    var event: DomainEvent { .releasePublished(self) }
}
