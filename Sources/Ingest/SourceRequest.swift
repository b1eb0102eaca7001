/// A source as a client asks for it (`POST /v1/sources`, `loopline source create`): the
/// settings in their written form, with defaults for what is left out.
public struct SourceRequest: Sendable, Codable {
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

    public init(name: String, kind: SourceKind) {
        self.name = name
        self.kind = kind
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
        return settings
    }
}
