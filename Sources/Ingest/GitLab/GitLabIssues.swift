import Foundation
import JSON

/// `Issue Hook`: an issue of type incident (GitLab's incident management), or one with the
/// source's incident label, is an incident (open or reopen → opened, close → resolved); any
/// other issue is a story (open → created, close → completed). Its id is the one `#123`
/// references give, so commits that name the issue link to its story.
enum GitLabIssues {
    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let issue = event.attributes
        guard let repository = event.repository, let number = issue["iid"].int else {
            return .deadLetter("the issue has no project or iid")
        }
        let id = MappingContext.issueStoryId(repository: repository, number: number)
        let labels = (issue["labels"].elements + event.body["labels"].elements).compactMap { $0["title"].string?.lowercased() }
        let isIncident = issue["type"].string?.lowercased() == "incident" || issue["issue_type"].string == "incident"
            || labels.contains(event.context.settings.incidentLabel.lowercased())
        let action = issue["action"].string ?? ""
        return isIncident ? incident(event, issue, id: id, action: action, labels: labels) : story(event, issue, id: id, action: action)
    }

    private static func incident(_ event: GitLabEvent, _ issue: JSONValue, id: String, action: String, labels: [String]) -> MappingOutcome {
        switch action {
        case "open", "reopen":
            return event.commands { target in
                [MappedCommand(
                    "open-incident",
                    MappingFields.target(target).merging([
                        "incidentId": .string(id), "title": MappingFields.clipped(issue["title"].text, 500),
                        "severity": .integer(severity(issue["severity"].string, labels)),
                        "occurredAt": GitLabEvent.time(action == "open" ? issue["created_at"] : issue["updated_at"]),
                    ]) { $1 },
                    alreadyRecorded: ["incident_exists"])]
            }
        case "close":
            return event.commands { target in
                [MappedCommand(
                    "resolve-incident",
                    MappingFields.target(target).merging([
                        "incidentId": .string(id), "occurredAt": GitLabEvent.time(issue["closed_at"].isNull ? issue["updated_at"] : issue["closed_at"]),
                    ]) { $1 },
                    alreadyRecorded: ["incident_not_open"])]
            }
        default:
            return .ignored("issue \(action.isEmpty ? "(no action)" : action) on an incident is not recorded")
        }
    }

    /// GitLab's incident severity (critical, high, medium, low), else `sev`/`severity::N` labels.
    static func severity(_ gitlab: String?, _ labels: [String]) -> Int {
        switch gitlab?.lowercased() {
        case "critical": 1
        case "high": 2
        case "medium": 3
        case "low": 4
        default: GitHubIssues.severity(labels.map { $0.replacingOccurrences(of: "::", with: ":") })
        }
    }

    private static func story(_ event: GitLabEvent, _ issue: JSONValue, id: String, action: String) -> MappingOutcome {
        switch action {
        case "open":
            return event.commands { target in
                [MappedCommand(
                    "create-story",
                    MappingFields.target(target).merging([
                        "storyId": .string(id), "title": MappingFields.clipped(issue["title"].text, 500),
                        "occurredAt": GitLabEvent.time(issue["created_at"]),
                    ]) { $1 },
                    alreadyRecorded: ["story_exists"])]
            }
        case "close":
            return event.commands { target in
                [MappedCommand(
                    "complete-story",
                    MappingFields.target(target).merging([
                        "storyId": .string(id), "occurredAt": GitLabEvent.time(issue["closed_at"].isNull ? issue["updated_at"] : issue["closed_at"]),
                    ]) { $1 },
                    alreadyRecorded: ["story_already_completed", "story_cancelled", "story_closed"])]
            }
        default:
            return .ignored("issue \(action.isEmpty ? "(no action)" : action) is not recorded")
        }
    }
}
