/// A deployment, folded from its `Deployment…` events.
public struct DeploymentState: Sendable, Equatable {
    public enum Status: String, Sendable {
        case started, succeeded, failed, rolledBack
    }

    public var deploymentId: String
    public var environment: String
    public var sha: String
    public var buildId: String?
    public var version: String?
    public var status: Status

    public init(
        deploymentId: String, environment: String, sha: String, buildId: String? = nil, version: String? = nil,
        status: Status
    ) {
        self.deploymentId = deploymentId
        self.environment = environment
        self.sha = sha
        self.buildId = buildId
        self.version = version
        self.status = status
    }

    public var isFinished: Bool { status != .started }
}

extension DeploymentStarted {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .deployment(
            DeploymentState(
                deploymentId: deploymentId, environment: environment, sha: sha, buildId: buildId, version: version,
                status: .started))
    }
}

extension DeploymentSucceeded {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .deployment(
            DeploymentState(
                deploymentId: deploymentId, environment: environment, sha: sha, buildId: buildId, version: version,
                status: .succeeded))
    }
}

extension DeploymentFailed {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .deployment(
            DeploymentState(
                deploymentId: deploymentId, environment: environment, sha: sha, buildId: buildId, version: version,
                status: .failed))
    }
}

extension DeploymentRolledBack {
    /// Keeps the build and version known from before; the event itself carries environment and sha.
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        guard case .deployment(var deployment) = entity else {
            return .deployment(
                DeploymentState(deploymentId: deploymentId, environment: environment, sha: sha, status: .rolledBack))
        }
        deployment.status = .rolledBack
        return .deployment(deployment)
    }
}
