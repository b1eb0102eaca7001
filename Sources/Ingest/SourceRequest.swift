/// A source as a client asks for it (`POST /v1/sources`, `loopline source create`): the
/// settings in their written form, with defaults for what is left out.
public struct SourceRequest: Sendable, Codable {
    /// A change of settings (`PATCH /v1/sources/{name}`): no name or kind.
    public struct Update: Sendable, Codable {
        public var settings: SourceRequest

        public init(from decoder: any Decoder) throws {
            settings = SourceRequest(name: "", kind: .github)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            try settings.decodeSettings(container)
        }

        public func encode(to encoder: any Encoder) throws { try settings.encode(to: encoder) }

        public func settings(over base: SourceSettings) -> SourceSettings { settings.settings(over: base) }
    }

    public var name: String
    public var kind: SourceKind
    public var team: String?
    public var service: String?
    public var serviceFrom: SourceSettings.ServiceFrom?
    /// `owner/repo` → `service[:team]`.
    public var map: [String: String]?
    public var storyPatterns: [String]?
    public var issueReferences: Bool?
    public var productionEnvironments: [String]?
    public var incidentLabel: String?
    /// Alertmanager: labels that name the service; `label=value` rules that make an incident.
    public var alertServiceLabels: [String]?
    public var alertIncidentWhen: [String]?
    /// Jira: issue types that are improvements; resolutions that cancel a story.
    public var improvementTypes: [String]?
    public var cancelResolutions: [String]?

    public init(name: String, kind: SourceKind) {
        self.name = name
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, team, service, serviceFrom, map, storyPatterns, issueReferences, productionEnvironments, incidentLabel
        case alertServiceLabels, alertIncidentWhen, improvementTypes, cancelResolutions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), kind: try container.decode(SourceKind.self, forKey: .kind))
        try decodeSettings(container)
    }

    mutating func decodeSettings(_ container: KeyedDecodingContainer<CodingKeys>) throws {
        team = try container.decodeIfPresent(String.self, forKey: .team)
        service = try container.decodeIfPresent(String.self, forKey: .service)
        serviceFrom = try container.decodeIfPresent(SourceSettings.ServiceFrom.self, forKey: .serviceFrom)
        map = try container.decodeIfPresent([String: String].self, forKey: .map)
        storyPatterns = try container.decodeIfPresent([String].self, forKey: .storyPatterns)
        issueReferences = try container.decodeIfPresent(Bool.self, forKey: .issueReferences)
        productionEnvironments = try container.decodeIfPresent([String].self, forKey: .productionEnvironments)
        incidentLabel = try container.decodeIfPresent(String.self, forKey: .incidentLabel)
        alertServiceLabels = try container.decodeIfPresent([String].self, forKey: .alertServiceLabels)
        alertIncidentWhen = try container.decodeIfPresent([String].self, forKey: .alertIncidentWhen)
        improvementTypes = try container.decodeIfPresent([String].self, forKey: .improvementTypes)
        cancelResolutions = try container.decodeIfPresent([String].self, forKey: .cancelResolutions)
    }

    /// The settings this asks for, on top of `base` (the defaults, or a source's current ones).
    public func settings(over base: SourceSettings = SourceSettings()) -> SourceSettings {
        var settings = base
        if let team { settings.team = team }
        if let service { settings.service = service }
        if let serviceFrom { settings.serviceFrom = serviceFrom }
        for (repository, target) in map ?? [:] { settings.repositories[repository.lowercased()] = .init(parsing: target) }
        if let storyPatterns { settings.storyPatterns = storyPatterns }
        if let issueReferences { settings.issueReferences = issueReferences }
        if let productionEnvironments { settings.productionEnvironments = productionEnvironments }
        if let incidentLabel { settings.incidentLabel = incidentLabel }
        if let alertServiceLabels { settings.alertServiceLabelList = alertServiceLabels }
        if let alertIncidentWhen { settings.alertIncidentRules = alertIncidentWhen }
        if let improvementTypes { settings.improvementTypeList = improvementTypes }
        if let cancelResolutions { settings.cancelResolutionList = cancelResolutions }
        return settings
    }
}
