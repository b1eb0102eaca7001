import JSON

/// The commands several tools' mappings make alike (a commit on a branch, an issue that is an
/// incident or a story), with the refusal codes that mean "already recorded" for each.
extension MappedCommand {
    static let commitRecorded: Set<String> = ["commit_already_integrated"]
    static let storyClosed: Set<String> = ["story_already_completed", "story_cancelled", "story_closed"]

    /// A commit integrated on `branch`: a push's, or a merge's.
    static func integrateCommit(
        _ target: SourceSettings.Target, sha: String?, branch: String, message: String?, author: String?, storyIds: [String],
        pullRequest: String? = nil, at time: JSONValue
    ) -> MappedCommand {
        MappedCommand(
            "integrate-commit",
            MappingFields.target(target).merging([
                "sha": MappingFields.text(sha), "branch": .string(branch), "message": MappingFields.clipped(message),
                "author": MappingFields.clipped(author, 200), "storyIds": MappingFields.list(storyIds),
                "pullRequest": MappingFields.text(pullRequest), "occurredAt": time,
            ]) { $1 },
            alreadyRecorded: commitRecorded)
    }

    static func openIncident(_ target: SourceSettings.Target, id: String, title: String?, severity: Int, at time: JSONValue) -> MappedCommand {
        MappedCommand(
            "open-incident",
            MappingFields.target(target).merging([
                "incidentId": .string(id), "title": MappingFields.clipped(title, 500), "severity": .integer(severity), "occurredAt": time,
            ]) { $1 },
            alreadyRecorded: ["incident_exists"])
    }

    static func resolveIncident(_ target: SourceSettings.Target, id: String, resolution: String? = nil, at time: JSONValue) -> MappedCommand {
        MappedCommand(
            "resolve-incident",
            MappingFields.target(target).merging([
                "incidentId": .string(id), "resolution": MappingFields.clipped(resolution), "occurredAt": time,
            ]) { $1 },
            alreadyRecorded: ["incident_not_open"])
    }

    static func createStory(_ target: SourceSettings.Target, id: String, title: String?, priority: Int? = nil, at time: JSONValue) -> MappedCommand {
        MappedCommand(
            "create-story",
            MappingFields.target(target).merging([
                "storyId": .string(id), "title": MappingFields.clipped(title, 500), "priority": MappingFields.integer(priority),
                "occurredAt": time,
            ]) { $1 },
            alreadyRecorded: ["story_exists"])
    }

    /// Done, or dropped when `cancelReason` says why.
    static func closeStory(_ target: SourceSettings.Target, id: String, cancelReason: String? = nil, at time: JSONValue) -> MappedCommand {
        MappedCommand(
            cancelReason == nil ? "complete-story" : "cancel-story",
            MappingFields.target(target).merging([
                "storyId": .string(id), "reason": MappingFields.text(cancelReason), "occurredAt": time,
            ]) { $1 },
            alreadyRecorded: storyClosed)
    }
}
