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
                [.openIncident(
                    target, id: id, title: issue["title"].text, severity: severity(issue["severity"].string, labels),
                    at: GitLabEvent.time(action == "open" ? issue["created_at"] : issue["updated_at"]))]
            }
        case "close":
            return event.commands { target in [.resolveIncident(target, id: id, at: closedAt(issue))] }
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

    /// `closed_at`, which older GitLab versions leave out: then the closing update's time.
    private static func closedAt(_ issue: JSONValue) -> JSONValue {
        GitLabEvent.time(issue["closed_at"].isNull ? issue["updated_at"] : issue["closed_at"])
    }

    private static func story(_ event: GitLabEvent, _ issue: JSONValue, id: String, action: String) -> MappingOutcome {
        switch action {
        case "open":
            return event.commands { target in [.createStory(target, id: id, title: issue["title"].text, at: GitLabEvent.time(issue["created_at"]))] }
        case "close":
            return event.commands { target in [.closeStory(target, id: id, at: closedAt(issue))] }
        default:
            return .ignored("issue \(action.isEmpty ? "(no action)" : action) is not recorded")
        }
    }
}
