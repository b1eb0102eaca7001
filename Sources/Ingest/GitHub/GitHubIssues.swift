import JSON

/// `issues`: an issue with the incident label is an incident (opened or labeled → opened,
/// closed → resolved); any other issue is a story (opened → created, closed → completed, or
/// cancelled when closed as not planned). Its id is the one `#123` references give.
enum GitHubIssues {
    static func map(_ event: GitHubEvent) -> MappingOutcome {
        let issue = event.body["issue"]
        guard let repository = event.repository, let number = issue["number"].int else {
            return .deadLetter("the issue has no repository or number")
        }
        let label = event.context.settings.incidentLabel.lowercased()
        let labels = issue["labels"].elements.compactMap { $0["name"].string?.lowercased() }
        let id = MappingContext.issueStoryId(repository: repository, number: number)
        if labels.contains(label) { return incident(event, issue, id: id, labels: labels) }
        return story(event, issue, id: id)
    }

    private static func incident(_ event: GitHubEvent, _ issue: JSONValue, id: String, labels: [String]) -> MappingOutcome {
        switch event.action {
        case "opened", "labeled", "reopened":
            return event.commands { target in
                [.openIncident(
                    target, id: id, title: issue["title"].text, severity: severity(labels),
                    at: event.action == "opened" ? issue["created_at"] : issue["updated_at"])]
            }
        case "closed":
            return event.commands { target in
                [.resolveIncident(target, id: id, resolution: issue["state_reason"].text.map { "closed as \($0)" }, at: issue["closed_at"])]
            }
        default:
            return .ignored("issues \(event.action) on an incident is not recorded")
        }
    }

    /// `sev1`…`sev4`, `sev-2`, `severity:1`… labels; 3 when none says.
    static func severity(_ labels: [String]) -> Int {
        for label in labels {
            var rest = Substring(label)
            for prefix in ["severity", "sev"] where rest.hasPrefix(prefix) {
                rest = rest.dropFirst(prefix.count)
                break
            }
            guard rest.count < label.count else { continue }
            if let first = rest.first, "-: ".contains(first) { rest = rest.dropFirst() }
            if rest.count == 1, let level = Int(rest), (1...4).contains(level) { return level }
        }
        return 3
    }

    private static func story(_ event: GitHubEvent, _ issue: JSONValue, id: String) -> MappingOutcome {
        switch event.action {
        case "opened":
            return event.commands { target in [.createStory(target, id: id, title: issue["title"].text, at: issue["created_at"])] }
        case "closed":
            let cancelled = issue["state_reason"].string == "not_planned"
            return event.commands { target in
                [.closeStory(target, id: id, cancelReason: cancelled ? "closed as not planned" : nil, at: issue["closed_at"])]
            }
        default:
            return .ignored("issues \(event.action) is not recorded")
        }
    }
}
