/// Delivery decisions: deployments of builds to environments, rollbacks, and releases.
extension StartDeployment {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try context.checkEnvironment(environment)
        try checkBuildNotFailed(buildId, context)
        guard !state.exists else {
            throw DomainError(
                code: "deployment_already_started", message: "deployment \(deploymentId) has already started")
        }
        return [
            .deploymentStarted(
                DeploymentStarted(
                    deploymentId: deploymentId, environment: environment, sha: sha, buildId: buildId,
                    version: version, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension SucceedDeployment {
    /// Accepted without a start (deployers that report only the outcome); the build and version default
    /// to those of the start.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try context.checkEnvironment(environment)
        try checkBuildNotFailed(buildId, context)
        let started = try unfinishedDeployment(state, deploymentId, environment, sha)
        return [
            .deploymentSucceeded(
                DeploymentSucceeded(
                    deploymentId: deploymentId, environment: environment, sha: sha,
                    buildId: buildId ?? started?.buildId, version: version ?? started?.version,
                    durationSeconds: durationSeconds, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension FailDeployment {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try context.checkEnvironment(environment)
        try checkBuildNotFailed(buildId, context)
        let started = try unfinishedDeployment(state, deploymentId, environment, sha)
        return [
            .deploymentFailed(
                DeploymentFailed(
                    deploymentId: deploymentId, environment: environment, sha: sha,
                    buildId: buildId ?? started?.buildId, version: version ?? started?.version, reason: reason,
                    durationSeconds: durationSeconds, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension RollBackDeployment {
    /// Only a successful deployment can be rolled back; the event names what it undid.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard let deployment = state.deployment else {
            throw DomainError(code: "deployment_not_found", message: "deployment \(deploymentId) does not exist")
        }
        guard deployment.status != .rolledBack else {
            throw DomainError(
                code: "deployment_already_rolled_back", message: "deployment \(deploymentId) is already rolled back")
        }
        guard deployment.status == .succeeded else {
            throw DomainError(
                code: "deployment_not_succeeded",
                message: "deployment \(deploymentId) is \(deployment.status.rawValue); only a succeeded one can be "
                    + "rolled back")
        }
        return [
            .deploymentRolledBack(
                DeploymentRolledBack(
                    deploymentId: deploymentId, environment: deployment.environment, sha: deployment.sha,
                    reason: reason, toVersion: toVersion, toSha: toSha, service: service, team: team,
                    occurredAt: context.occurredAt))
        ]
    }
}

extension PublishRelease {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(
                code: "release_already_published", message: "release \(releaseId) is already published")
        }
        return [
            .releasePublished(
                ReleasePublished(
                    releaseId: releaseId, version: version, sha: sha, deploymentIds: deploymentIds ?? [],
                    notes: notes, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

/// `build_failed` when the named build failed. A build not (yet) known is fine: CI may report late.
private func checkBuildNotFailed(_ buildId: String?, _ context: DecisionContext) throws(DomainError) {
    guard let buildId, context.state(of: "build-\(buildId)").build?.status == .failed else { return }
    throw DomainError(
        code: "build_failed", message: "build \(buildId) failed; deploy a build that passed", field: "buildId")
}

/// The started deployment (nil if there is none yet), or `deployment_already_finished`, or a mismatch
/// with what the start said: `environment_mismatch`, `sha_mismatch`.
private func unfinishedDeployment(
    _ state: StreamState, _ deploymentId: String, _ environment: String, _ sha: String
) throws(DomainError) -> DeploymentState? {
    guard let deployment = state.deployment else { return nil }
    guard !deployment.isFinished else {
        throw DomainError(
            code: "deployment_already_finished",
            message: "deployment \(deploymentId) is already finished (\(deployment.status.rawValue))")
    }
    guard deployment.environment == environment else {
        throw DomainError(
            code: "environment_mismatch",
            message: "deployment \(deploymentId) started in \(deployment.environment), not \(environment)",
            field: "environment")
    }
    guard deployment.sha == sha else {
        throw DomainError(
            code: "sha_mismatch",
            message: "deployment \(deploymentId) started with commit \(deployment.sha), not \(sha)",
            field: "sha")
    }
    return deployment
}
