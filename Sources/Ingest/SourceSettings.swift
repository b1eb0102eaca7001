/// How a source's deliveries become commands: which service and team they are about, where
/// story ids are found, which environments count as production.
public struct SourceSettings: Sendable, Codable, Hashable {
    /// Where `service` comes from when a repository is not in `repositories`.
    public enum ServiceFrom: String, Sendable, Codable {
        /// The repository's name, lowercased into the service pattern.
        case repository
        /// Only the explicit map (and `service`, if set): anything else is dead-lettered.
        case map
    }

    /// A repository's service and team, as `--map owner/repo=service[:team]` gives them.
    public struct Target: Sendable, Codable, Hashable {
        public var service: String
        public var team: String?

        public init(service: String, team: String? = nil) {
            self.service = service
            self.team = team
        }

        /// `service[:team]`, as `--map owner/repo=service[:team]` writes it.
        public init(parsing text: String) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            self.init(service: parts.first ?? "", team: parts.count > 1 ? parts[1] : nil)
        }
    }

    public static let defaultStoryPatterns = ["[A-Z][A-Z0-9]+-[0-9]+"]
    public static let defaultProductionEnvironments = ["production", "prod"]

    /// The team of every delivery whose repository has no team of its own.
    public var team: String?
    /// The service of every delivery whose repository is not mapped; wins over `serviceFrom`.
    public var service: String?
    public var serviceFrom: ServiceFrom
    /// `owner/repo` (lowercase) → target; wins over everything else.
    public var repositories: [String: Target]
    /// Regular expressions whose matches in branch names, commit messages and titles are story ids.
    public var storyPatterns: [String]
    /// Whether `#123` in a message or title names the repository's issue 123 (story `owner:repo:123`).
    public var issueReferences: Bool
    /// Environment names (any case) that mean `production`.
    public var productionEnvironments: [String]
    /// The label that makes an issue an incident.
    public var incidentLabel: String
    /// Alertmanager: the labels that name an alert's service, first present wins.
    public var alertServiceLabels: [String] { alertServiceLabelList ?? ["service", "job"] }
    /// Alertmanager: `label=value` pairs any of which makes an alert an incident too.
    public var alertIncidentWhen: [String] { alertIncidentRules ?? ["severity=critical", "incident=true"] }
    /// Jira: issue types that are improvements rather than stories.
    public var jiraImprovementTypes: [String] { improvementTypeList ?? ["Improvement"] }
    /// Jira: resolutions that mean a story was dropped, not done.
    public var jiraCancelResolutions: [String] {
        cancelResolutionList ?? ["Won't Do", "Won't Fix", "Cancelled", "Canceled", "Declined", "Duplicate", "Cannot Reproduce", "Obsolete"]
    }
    /// Stored only when set, so sources made before these settings keep decoding.
    public var alertServiceLabelList: [String]?
    public var alertIncidentRules: [String]?
    public var improvementTypeList: [String]?
    public var cancelResolutionList: [String]?

    enum CodingKeys: String, CodingKey {
        case team, service, serviceFrom, repositories, storyPatterns, issueReferences, productionEnvironments, incidentLabel
        case alertServiceLabelList = "alertServiceLabels", alertIncidentRules = "alertIncidentWhen"
        case improvementTypeList = "improvementTypes", cancelResolutionList = "cancelResolutions"
    }

    public init(
        team: String? = nil, service: String? = nil, serviceFrom: ServiceFrom = .repository,
        repositories: [String: Target] = [:], storyPatterns: [String] = Self.defaultStoryPatterns,
        issueReferences: Bool = true, productionEnvironments: [String] = Self.defaultProductionEnvironments,
        incidentLabel: String = "incident"
    ) {
        self.team = team
        self.service = service
        self.serviceFrom = serviceFrom
        self.repositories = repositories
        self.storyPatterns = storyPatterns
        self.issueReferences = issueReferences
        self.productionEnvironments = productionEnvironments
        self.incidentLabel = incidentLabel
    }
}
