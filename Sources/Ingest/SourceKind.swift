/// The tools a source speaks for; each has its own route, authentication and mapping.
public enum SourceKind: String, Sendable, Codable, CaseIterable {
    case alertmanager
    case cloudevents
    case feedback
    case github
    case gitlab
    case jira

    /// How this kind's requests authenticate, split into deliveries and map: the one place a
    /// kind is told apart from the others.
    var adapter: any SourceAdapter.Type {
        switch self {
        case .alertmanager: AlertmanagerMapping.self
        case .cloudevents: CloudEventsMapping.self
        case .feedback: FeedbackMapping.self
        case .github: GitHubMapping.self
        case .gitlab: GitLabMapping.self
        case .jira: JiraMapping.self
        }
    }

    /// Whether a body may be `application/x-www-form-urlencoded` (what an HTML form posts).
    public var acceptsForms: Bool { self == .feedback }
}
