import JSON

/// `push`: each commit pushed to the default branch is integrated; pushes elsewhere (feature
/// branches, tags, deletions) are ignored with the reason.
enum GitHubPush {
    static let alreadyRecorded: Set<String> = ["commit_already_integrated"]

    static func map(_ event: GitHubEvent) -> MappingOutcome {
        let ref = event.body["ref"].string ?? ""
        guard ref.hasPrefix("refs/heads/") else { return .ignored("a push to \(ref.isEmpty ? "no ref" : ref), not to a branch") }
        let branch = String(ref.dropFirst("refs/heads/".count))
        guard branch == event.defaultBranch else {
            return .ignored("a push to branch \(branch), not to the default branch \(event.defaultBranch)")
        }
        if event.body["deleted"].bool == true { return .ignored("the push deleted branch \(branch)") }
        let commits = event.body["commits"].elements
        guard !commits.isEmpty else { return .ignored("the push to \(branch) carries no commits") }
        return event.commands { target in
            commits.map { commit in
                let message = commit["message"].string
                return MappedCommand(
                    "integrate-commit",
                    MappingFields.target(target).merging([
                        "sha": MappingFields.text(commit["id"].string),
                        "branch": .string(branch),
                        "message": MappingFields.clipped(message),
                        "author": MappingFields.clipped(commit["author"]["name"].text ?? commit["author"]["username"].text, 200),
                        "storyIds": MappingFields.list(event.storyIds(message, branch)),
                        "occurredAt": MappingFields.text(commit["timestamp"].string),
                    ]) { $1 },
                    alreadyRecorded: alreadyRecorded)
            }
        }
    }
}
