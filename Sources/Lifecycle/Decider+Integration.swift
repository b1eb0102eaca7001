/// Integration decisions: commits reaching a branch and the CI builds of them.
extension IntegrateCommit {
    /// The event links the stories the command names and those the message mentions.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(
                code: "commit_already_integrated",
                message: "commit \(sha) is already integrated (a push and a pull-request merge of it are one fact)")
        }
        let given = Set(storyIds ?? [])
        // The given stories (at most the limit) are always linked; mentions fill what is left,
        // so a long message cannot fan one commit out to thousands of stories.
        let mentioned = (message.map(Lifecycle.storyIds(inCommitMessage:)) ?? []).filter { !given.contains($0) }
        let stories = given.union(mentioned.prefix(ListLimits.storyIds - given.count)).sorted()
        return [
            .commitIntegrated(
                CommitIntegrated(
                    sha: sha, branch: branch ?? "main", message: message, author: author, storyIds: stories,
                    pullRequest: pullRequest, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension StartBuild {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(code: "build_already_started", message: "build \(buildId) has already started")
        }
        return [
            .buildStarted(
                BuildStarted(buildId: buildId, sha: sha, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension PassBuild {
    /// A build that never said it started is accepted: many CI systems report only completion.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try checkUnfinished(state, buildId, sha)
        return [
            .buildPassed(
                BuildPassed(
                    buildId: buildId, sha: sha, durationSeconds: durationSeconds, service: service, team: team,
                    occurredAt: context.occurredAt))
        ]
    }
}

extension FailBuild {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try checkUnfinished(state, buildId, sha)
        return [
            .buildFailed(
                BuildFailed(
                    buildId: buildId, sha: sha, reason: reason, durationSeconds: durationSeconds, service: service,
                    team: team, occurredAt: context.occurredAt))
        ]
    }
}

/// `build_already_finished` for a build that passed or failed; `sha_mismatch` for one that started
/// with another commit. A build without any event is fine.
private func checkUnfinished(_ state: StreamState, _ buildId: String, _ sha: String) throws(DomainError) {
    guard let build = state.build else { return }
    guard !build.isFinished else {
        throw DomainError(code: "build_already_finished", message: "build \(buildId) already \(build.status.rawValue)")
    }
    guard build.sha == sha else {
        throw DomainError(
            code: "sha_mismatch", message: "build \(buildId) started with commit \(build.sha), not \(sha)",
            field: "sha")
    }
}
