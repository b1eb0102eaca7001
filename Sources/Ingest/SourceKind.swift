/// The tools a source speaks for; each has its own route, authentication and mapping.
public enum SourceKind: String, Sendable, Codable, CaseIterable {
    case alertmanager
    case cloudevents
    case github

    /// The mapping of this kind's payloads: pure, testable without a database.
    var mapping: any SourceMapping.Type {
        switch self {
        case .alertmanager: AlertmanagerMapping.self
        case .cloudevents: CloudEventsMapping.self
        case .github: GitHubMapping.self
        }
    }
}
