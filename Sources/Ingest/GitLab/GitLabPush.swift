import JSON

/// `Push Hook`: each commit pushed to the default branch is integrated; pushes elsewhere
/// (feature branches, deletions) are ignored with the reason. GitLab lists at most 20 commits
/// of a push (`total_commits_count` says how many there were); the listed ones are recorded.
enum GitLabPush {
    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let branch: String
        switch MappingContext.pushedBranch(ref: event.body["ref"].string, defaultBranch: event.defaultBranch) {
        case .success(let name): branch = name
        case .failure(let unrecorded): return .ignored(unrecorded.reason)
        }
        if event.body["checkout_sha"].isNull, event.body["after"].string?.allSatisfy({ $0 == "0" }) == true {
            return .ignored("the push deleted branch \(branch)")
        }
        let commits = event.body["commits"].elements
        guard !commits.isEmpty else { return .ignored("the push to \(branch) carries no commits") }
        return event.commands { target in
            commits.map { commit in
                let message = commit["message"].string
                return .integrateCommit(
                    target, sha: commit["id"].string, branch: branch, message: message, author: commit["author"]["name"].text,
                    storyIds: event.storyIds(message, branch), at: GitLabEvent.time(commit["timestamp"]))
            }
        }
    }
}

/// `Merge Request Hook` with action `merge` into the default branch: the merge commit (or the
/// squash commit, or for a fast-forward the last commit) is integrated with the story ids of
/// the title and the source branch, and the MR's number.
enum GitLabMergeRequest {
    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let request = event.attributes
        let action = request["action"].string ?? ""
        guard action == "merge" else { return .ignored("merge request \(action.isEmpty ? "(no action)" : action) is not recorded; only merges are") }
        let target = request["target_branch"].string ?? ""
        guard target == event.defaultBranch else {
            return .ignored("the merge request merged into \(target), not into the default branch \(event.defaultBranch)")
        }
        guard let sha = request["merge_commit_sha"].text ?? request["squash_commit_sha"].text ?? request["last_commit"]["id"].text else {
            return .deadLetter("the merged merge request names no merge, squash or last commit")
        }
        let title = request["title"].string
        let source = request["source_branch"].string
        return event.commands { service in
            // The hook has no merged_at: a merge's update is the merge.
            [.integrateCommit(
                service, sha: sha, branch: target, message: title, author: event.body["user"]["username"].text,
                storyIds: event.storyIds(title, source), pullRequest: request["iid"].int.map { "!\($0)" },
                at: GitLabEvent.time(request["updated_at"]))]
        }
    }
}
