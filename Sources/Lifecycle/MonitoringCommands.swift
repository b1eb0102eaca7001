public import Foundation

/// Records that a metric crossed its threshold: `breach-metric` → `MetricBreached`.
public struct BreachMetric: Codable, Sendable, Equatable {
    /// `^[a-z][a-z0-9_.]{0,62}$`, e.g. `http.error_rate`.
    public var metric: String
    public var value: Double
    public var threshold: Double
    /// One of `Policy.environments`, when given.
    public var environment: String?
    public var deploymentId: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        metric: String, value: Double, threshold: Double, environment: String? = nil, deploymentId: String? = nil,
        service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.metric = metric
        self.value = value
        self.threshold = threshold
        self.environment = environment
        self.deploymentId = deploymentId
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Records that a breached metric is back within its threshold: `recover-metric` → `MetricRecovered`.
public struct RecoverMetric: Codable, Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var environment: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        metric: String, value: Double, environment: String? = nil, service: String, team: String? = nil,
        occurredAt: Date? = nil
    ) {
        self.metric = metric
        self.value = value
        self.environment = environment
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Opens an incident: `open-incident` → `IncidentOpened`.
public struct OpenIncident: Codable, Sendable, Equatable {
    public var incidentId: String
    /// 1–500 characters.
    public var title: String
    /// 1 (most severe) to 4.
    public var severity: Int
    public var deploymentId: String?
    public var rootCauseSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        incidentId: String, title: String, severity: Int, deploymentId: String? = nil, rootCauseSha: String? = nil,
        service: String, team: String? = nil, occurredAt: Date? = nil
    ) {
        self.incidentId = incidentId
        self.title = title
        self.severity = severity
        self.deploymentId = deploymentId
        self.rootCauseSha = rootCauseSha
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

/// Closes an incident: `resolve-incident` → `IncidentResolved`.
public struct ResolveIncident: Codable, Sendable, Equatable {
    public var incidentId: String
    /// At most 10,000 characters.
    public var resolution: String?
    /// The commit found to have caused it; replaces the opening's.
    public var rootCauseSha: String?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        incidentId: String, resolution: String? = nil, rootCauseSha: String? = nil, service: String,
        team: String? = nil, occurredAt: Date? = nil
    ) {
        self.incidentId = incidentId
        self.resolution = resolution
        self.rootCauseSha = rootCauseSha
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

extension BreachMetric: CommandPayload {
    static let name = "breach-metric"
    var streamId: String { "metric-\(service):\(metric)" }
    var command: Command { .breachMetric(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            metric: json.string("metric"), value: json.number("value"), threshold: json.number("threshold"),
            environment: json.optionalString("environment"), deploymentId: json.optionalString("deploymentId"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> BreachMetric {
        try FieldRules.pattern(metric, .metric, "metric", example: "http.error_rate")
        try FieldRules.finite(value, "value")
        try FieldRules.finite(threshold, "threshold")
        try FieldRules.entityId(deploymentId, "deploymentId")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension RecoverMetric: CommandPayload {
    static let name = "recover-metric"
    var streamId: String { "metric-\(service):\(metric)" }
    var command: Command { .recoverMetric(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            metric: json.string("metric"), value: json.number("value"),
            environment: json.optionalString("environment"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> RecoverMetric {
        try FieldRules.pattern(metric, .metric, "metric", example: "http.error_rate")
        try FieldRules.finite(value, "value")
        try FieldRules.serviceAndTeam(service, team)
        return self
    }
}

extension OpenIncident: CommandPayload {
    static let name = "open-incident"
    var streamId: String { "incident-\(incidentId)" }
    var command: Command { .openIncident(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            incidentId: json.string("incidentId"), title: json.string("title"), severity: json.int("severity"),
            deploymentId: json.optionalString("deploymentId"), rootCauseSha: json.optionalString("rootCauseSha"),
            service: json.string("service"), team: json.optionalString("team"),
            occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> OpenIncident {
        var copy = self
        try FieldRules.entityId(incidentId, "incidentId")
        try FieldRules.length(title, "title", 1...500)
        try FieldRules.range(severity, "severity", 1...4, code: "severity_out_of_range", meaning: " (1 = most severe)")
        try FieldRules.entityId(deploymentId, "deploymentId")
        copy.rootCauseSha = try FieldRules.optionalSha(rootCauseSha, "rootCauseSha")
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}

extension ResolveIncident: CommandPayload {
    static let name = "resolve-incident"
    var streamId: String { "incident-\(incidentId)" }
    var command: Command { .resolveIncident(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            incidentId: json.string("incidentId"), resolution: json.optionalString("resolution"),
            rootCauseSha: json.optionalString("rootCauseSha"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> ResolveIncident {
        var copy = self
        try FieldRules.entityId(incidentId, "incidentId")
        try FieldRules.length(resolution, "resolution", 0...10_000)
        copy.rootCauseSha = try FieldRules.optionalSha(rootCauseSha, "rootCauseSha")
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }
}
