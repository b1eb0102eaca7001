import JSON

/// `pull_request` closed and merged into the default branch: the merge commit is integrated,
/// with the story ids of the title and the head branch and the PR's number.
enum GitHubPullRequest {
    static func map(_ event: GitHubEvent) -> MappingOutcome {
        let pull = event.body["pull_request"]
        guard event.action == "closed" else { return .ignored("pull_request \(event.action) is not recorded; only merges are") }
        guard pull["merged"].bool == true else { return .ignored("the pull request was closed without merging") }
        let base = pull["base"]["ref"].string ?? ""
        guard base == event.defaultBranch else {
            return .ignored("the pull request merged into \(base), not into the default branch \(event.defaultBranch)")
        }
        guard let sha = pull["merge_commit_sha"].text else { return .deadLetter("the merged pull request has no merge_commit_sha") }
        let title = pull["title"].string
        let head = pull["head"]["ref"].string
        return event.commands { target in
            [.integrateCommit(
                target, sha: sha, branch: base, message: title, author: pull["user"]["login"].text,
                storyIds: event.storyIds(title, head), pullRequest: pull["number"].int.map { String($0) },
                at: MappingFields.text(pull["merged_at"].string))]
        }
    }
}
