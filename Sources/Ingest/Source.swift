public import Foundation
import Lifecycle

/// A registered source, as listed: everything but its secret.
public struct Source: Sendable, Hashable, Codable {
    public var id: UUID
    public var name: String
    public var kind: SourceKind
    public var settings: SourceSettings
    public var createdAt: Date
    public var secretSetAt: Date

    /// Where the tool sends its webhooks, below the server's address.
    public var ingestPath: String { "/v1/ingest/\(kind.rawValue)/\(name)" }

    public init(id: UUID, name: String, kind: SourceKind, settings: SourceSettings, createdAt: Date, secretSetAt: Date) {
        self.id = id
        self.name = name
        self.kind = kind
        self.settings = settings
        self.createdAt = createdAt
        self.secretSetAt = secretSetAt
    }
}

/// A source just created or given a new secret: the only time the secret is seen.
public struct IssuedSource: Sendable, Hashable, Codable {
    public var source: Source
    public var secret: String
    public var ingestPath: String
}

extension SourceSettings {
    /// Refuses settings that could never map: names outside the catalogue's patterns,
    /// patterns that do not compile.
    func validated() throws(IngestError) -> SourceSettings {
        for (field, name) in [("team", team), ("service", service)] {
            if let name, !CatalogueNames.isName(name) {
                throw IngestError(.invalidSource, "\(field) \"\(name)\" must match ^[a-z0-9][a-z0-9._-]{0,62}$", field: field)
            }
        }
        for (repository, target) in repositories {
            guard !repository.isEmpty, !repository.split(separator: "/", omittingEmptySubsequences: false).contains(""),
                repository == repository.lowercased()
            else {
                throw IngestError(
                    .invalidSource, "a map needs a lowercase owner/repo (GitLab: group/subgroup/project; Jira: the project key), not \"\(repository)\"",
                    field: "map")
            }
            guard CatalogueNames.isName(target.service), target.team.map(CatalogueNames.isName) ?? true else {
                throw IngestError(.invalidSource, "the map for \(repository) names an invalid service or team", field: "map")
            }
        }
        for pattern in storyPatterns where !StoryPatterns.isValid(pattern) {
            throw IngestError(.invalidSource, "story pattern \"\(pattern)\" is not a regular expression", field: "storyPatterns")
        }
        guard alertServiceLabels.allSatisfy({ !$0.isEmpty }), alertIncidentWhen.allSatisfy({ $0.split(separator: "=").count == 2 }) else {
            throw IngestError(.invalidSource, "alert service labels must not be empty, and incident rules are label=value", field: "alertIncidentWhen")
        }
        guard !jiraImprovementTypes.contains(""), !jiraCancelResolutions.contains("") else {
            throw IngestError(.invalidSource, "improvement types and cancel resolutions must not be empty", field: "cancelResolutions")
        }
        guard !productionEnvironments.isEmpty, !productionEnvironments.contains(""), !incidentLabel.isEmpty else {
            throw IngestError(.invalidSource, "production environments and the incident label must not be empty", field: "productionEnvironments")
        }
        return self
    }

}
