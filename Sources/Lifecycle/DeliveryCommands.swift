public import Foundation

/// Records that a deployment began: `start-deployment` → `DeploymentStarted`.
public struct StartDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension StartDeployment: CommandPayload {
    static let spec = CommandSpec<Self>(
        "start-deployment", Command.startDeployment, stream: { "deployment-\($0.deploymentId)" },
        related: { buildStream($0.buildId) }, fields: deploymentFields)
}

/// Records that a deployment finished well: `succeed-deployment` → `DeploymentSucceeded`.
public struct SucceedDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension SucceedDeployment: CommandPayload {
    static let spec = CommandSpec<Self>(
        "succeed-deployment", Command.succeedDeployment, stream: { "deployment-\($0.deploymentId)" },
        related: { buildStream($0.buildId) }, fields: deploymentFields + [.duration()])
}

/// Records that a deployment did not complete: `fail-deployment` → `DeploymentFailed`.
public struct FailDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var reason: String?
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension FailDeployment: CommandPayload {
    static let spec = CommandSpec<Self>(
        "fail-deployment", Command.failDeployment, stream: { "deployment-\($0.deploymentId)" },
        related: { buildStream($0.buildId) }, fields: deploymentFields + [.prose("reason"), .duration()])
}

/// Undoes a successful deployment: `roll-back-deployment` → `DeploymentRolledBack`.
public struct RollBackDeployment: Codable, Sendable, Equatable {
    public var deploymentId: String
    public var reason: String?
    public var toVersion: String?
    public var toSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension RollBackDeployment: CommandPayload {
    static let spec = CommandSpec<Self>(
        "roll-back-deployment", Command.rollBackDeployment, stream: { "deployment-\($0.deploymentId)" },
        fields: [
            .id("deploymentId"), .prose("reason"),
            .text("toVersion", 1...100, .optional, "the version running afterwards"),
            .sha("toSha", .optional, "the commit running afterwards"),
        ])
}

/// Releases a version to users: `publish-release` → `ReleasePublished`.
public struct PublishRelease: Codable, Sendable, Equatable {
    public var releaseId: String
    public var version: String
    public var sha: String?
    public var deploymentIds: [String]?
    public var notes: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension PublishRelease: CommandPayload {
    static let spec = CommandSpec<Self>(
        "publish-release", Command.publishRelease, stream: { "release-\($0.releaseId)" },
        fields: [
            .id("releaseId"), .text("version", 1...100), .sha("sha", .optional),
            .ids("deploymentIds", maximum: ListLimits.deploymentIds, .optional(default: "`[]`")), .prose("notes"),
        ])
}

/// What every deployment's start and outcome carry: which deployment, where, what, from which build.
private let deploymentFields: [FieldSpec] = [
    .id("deploymentId"), .environment(.required), .sha("sha"),
    .id("buildId", .optional, "the build whose artefact is deployed; a failed one is `build_failed`"),
    .text("version", 1...100, .optional),
]

/// The build stream a deployment command needs to see, when it names a build.
private func buildStream(_ buildId: String?) -> [String] {
    buildId.map { ["build-\($0)"] } ?? []
}
