public import Foundation

/// Records that a metric crossed its threshold: `breach-metric` → `MetricBreached`.
public struct BreachMetric: Codable, Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var threshold: Double
    public var environment: String?
    public var deploymentId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension BreachMetric: CommandPayload {
    static let spec = CommandSpec<Self>(
        "breach-metric", Command.breachMetric, stream: { "metric-\($0.service):\($0.metric)" },
        fields: [
            .metric, .number("value"), .number("threshold"), .environment(.optional),
            .id("deploymentId", .optional, "the deployment suspected of causing it"),
        ])
}

/// Records that a breached metric is back within its threshold: `recover-metric` → `MetricRecovered`.
public struct RecoverMetric: Codable, Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var environment: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension RecoverMetric: CommandPayload {
    static let spec = CommandSpec<Self>(
        "recover-metric", Command.recoverMetric, stream: { "metric-\($0.service):\($0.metric)" },
        fields: [.metric, .number("value"), .environment(.optional)])
}

/// Opens an incident: `open-incident` → `IncidentOpened`.
public struct OpenIncident: Codable, Sendable, Equatable {
    public var incidentId: String
    public var title: String
    public var severity: Int
    public var deploymentId: String?
    public var rootCauseSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension OpenIncident: CommandPayload {
    static let spec = CommandSpec<Self>(
        "open-incident", Command.openIncident, stream: { "incident-\($0.incidentId)" },
        fields: [
            .id("incidentId"), .text("title", 1...500),
            .integer("severity", 1...4, code: "severity_out_of_range", meaning: " (1 = most severe)"),
            .id("deploymentId", .optional, "the deployment that caused it"),
            .sha("rootCauseSha", .optional, "the commit that caused it"),
        ])
}

/// Closes an incident: `resolve-incident` → `IncidentResolved`.
public struct ResolveIncident: Codable, Sendable, Equatable {
    public var incidentId: String
    public var resolution: String?
    public var rootCauseSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension ResolveIncident: CommandPayload {
    static let spec = CommandSpec<Self>(
        "resolve-incident", Command.resolveIncident, stream: { "incident-\($0.incidentId)" },
        fields: [.id("incidentId"), .prose("resolution"), .sha("rootCauseSha", .optional, "replaces the opening's")])
}

extension FieldSpec {
    /// A metric's name, which with the service names its stream.
    fileprivate static let metric = FieldSpec.pattern("metric", .metric, example: "http.error_rate")
}
