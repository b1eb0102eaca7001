import Foundation
import JSON

/// A Jira issue event and the commands it records. The issue's key is the story id (so
/// `PROJ-12` in a commit message links to it); its project's key, lowercased, is looked up
/// in the source's map and otherwise names the service. An issue of one of the source's
/// improvement types (`Improvement` by default) is an improvement, not a story.
struct JiraIssue {
    let body: JSONValue
    let context: MappingContext

    var issue: JSONValue { body["issue"] }
    var fields: JSONValue { issue["fields"] }
    var key: String? { issue["key"].text }
    var isImprovement: Bool {
        let type = fields["issuetype"]["name"].string?.lowercased()
        return context.settings.jiraImprovementTypes.contains { $0.lowercased() == type }
    }

    /// The webhook's `timestamp` (milliseconds since 1970) as an ISO 8601 date-time.
    var time: JSONValue {
        guard let milliseconds = body["timestamp"].int else { return .null }
        return .string(ISO8601Timestamp.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000)))
    }

    /// `jira:issue_created` → `StoryCreated` (or `ImprovementProposed`).
    func created() -> MappingOutcome {
        commands(ignoring: "") { target, key in [creation(target, key, at: time)] }
    }

    /// `jira:issue_updated`: what the changelog changed, in order (priority, then status),
    /// each preceded by the issue's creation (a no-op when it is recorded), so an update that
    /// outruns its creation, or an issue older than the webhook, still records.
    func updated() -> MappingOutcome {
        let items = body["changelog"]["items"].elements
        guard !items.isEmpty else { return .ignored("an update without a changelog (a comment, a link) changes nothing Loopline records") }
        // `fieldId` is stable; `field` is a display name ("Status") on Jira Cloud.
        let changed = Set(items.compactMap { ($0["fieldId"].text ?? $0["field"].string)?.lowercased() })
        let tracked = changed.intersection(["priority", "status"])
        guard !tracked.isEmpty else {
            return .ignored("the update changed \(changed.sorted().joined(separator: ", ")); Loopline records status and priority changes")
        }
        let status = fields["status"]["name"].text ?? "(unnamed)"
        return commands(ignoring: "the issue moved to status \(status), whose category Loopline does not record for it") { target, key in
            var commands: [MappedCommand] = []
            if tracked.contains("priority"), !isImprovement { commands.append(priorityChange(target, key)) }
            if tracked.contains("status"), let command = statusChange(target, key) { commands.append(command) }
            guard !commands.isEmpty else { return [] }
            return [creation(target, key, at: fields["created"].isNull ? time : fields["created"])] + commands
        }
    }

    /// The commands `build` makes for the issue's service, or `.ignored(reason)` when it makes none.
    private func commands(ignoring reason: String, _ build: (SourceSettings.Target, String) -> [MappedCommand]) -> MappingOutcome {
        guard let key else { return .deadLetter("the payload has no issue key") }
        let project = fields["project"]["key"].text ?? String(key.split(separator: "-").first ?? "")
        switch context.target(repository: project) {
        case .success(let target):
            let commands = build(target, key)
            return commands.isEmpty ? .ignored(reason) : .commands(commands)
        case .failure: return .deadLetter("Jira project \(project) is not mapped to a service; add it with --map \(project)=service or set --service")
        }
    }

    private func creation(_ target: SourceSettings.Target, _ key: String, at time: JSONValue) -> MappedCommand {
        let title = fields["summary"].text ?? key
        guard isImprovement else { return .createStory(target, id: key, title: title, priority: Self.priority(fields["priority"]), at: time) }
        return MappedCommand(
            "propose-improvement",
            MappingFields.target(target).merging(["improvementId": .string(key), "title": MappingFields.clipped(title, 500), "occurredAt": time]) { $1 },
            alreadyRecorded: ["improvement_exists"])
    }

    private func priorityChange(_ target: SourceSettings.Target, _ key: String) -> MappedCommand {
        MappedCommand(
            "prioritize-story",
            MappingFields.target(target).merging([
                "storyId": .string(key), "priority": .integer(Self.priority(fields["priority"]) ?? 3), "occurredAt": time,
            ]) { $1 },
            // Loopline's stories do not reopen: a change to a closed one has nothing to record.
            alreadyRecorded: ["story_closed"])
    }

    /// The status category the issue is in now: In Progress → started; Done → completed, or
    /// cancelled when its resolution is one of the source's cancel resolutions; To Do → none.
    private func statusChange(_ target: SourceSettings.Target, _ key: String) -> MappedCommand? {
        let category = fields["status"]["statusCategory"]["key"].string
        let common = MappingFields.target(target).merging(["occurredAt": time]) { $1 }
        if isImprovement {
            guard category == "done" else { return nil }
            return MappedCommand(
                "complete-improvement", common.merging(["improvementId": .string(key), "outcome": MappingFields.text(fields["resolution"]["name"].text)]) { $1 },
                alreadyRecorded: ["improvement_already_completed"])
        }
        let story = common.merging(["storyId": .string(key)]) { $1 }
        switch category {
        case "indeterminate":
            return MappedCommand("start-story", story, alreadyRecorded: ["story_already_started", "story_closed"])
        case "done":
            let resolution = fields["resolution"]["name"].text
            let cancelled = resolution.flatMap { name in
                context.settings.jiraCancelResolutions.contains { $0.caseInsensitiveCompare(name) == .orderedSame } ? "resolved as \(name)" : nil
            }
            return .closeStory(target, id: key, cancelReason: cancelled, at: time)
        default:
            return nil
        }
    }

    /// Jira's default priorities (Highest … Lowest) onto the catalogue's 1 … 5, by name, else
    /// by their ids 1 … 5; a priority scheme of other names is left to the default.
    static func priority(_ priority: JSONValue) -> Int? {
        switch priority["name"].string?.lowercased() {
        case "highest", "blocker": 1
        case "high", "critical": 2
        case "medium", "major": 3
        case "low", "minor": 4
        case "lowest", "trivial": 5
        default: priority["id"].string.flatMap(Int.init).flatMap { (1...5).contains($0) ? $0 : nil }
        }
    }
}
