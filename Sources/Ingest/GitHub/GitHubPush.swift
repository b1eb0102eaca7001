import JSON

/// `push`: each commit pushed to the default branch is integrated; pushes elsewhere (feature
/// branches, tags, deletions) are ignored with the reason.
enum GitHubPush {
    static func map(_ event: GitHubEvent) -> MappingOutcome {
        let branch: String
        switch MappingContext.pushedBranch(ref: event.body["ref"].string, defaultBranch: event.defaultBranch) {
        case .success(let name): branch = name
        case .failure(let unrecorded): return .ignored(unrecorded.reason)
        }
        if event.body["deleted"].bool == true { return .ignored("the push deleted branch \(branch)") }
        let commits = event.body["commits"].elements
        guard !commits.isEmpty else { return .ignored("the push to \(branch) carries no commits") }
        return event.commands { target in
            commits.map { commit in
                let message = commit["message"].string
                return .integrateCommit(
                    target, sha: commit["id"].string, branch: branch, message: message,
                    author: commit["author"]["name"].text ?? commit["author"]["username"].text,
                    storyIds: event.storyIds(message, branch), at: MappingFields.text(commit["timestamp"].string))
            }
        }
    }
}
