public import Foundation

/// A service's metric crossed its threshold. Stream `metric-{service}.{metric}`.
public struct MetricBreached: Codable, Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var threshold: Double
    public var environment: String?
    /// The deployment suspected of causing it, if known.
    public var deploymentId: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        metric: String, value: Double, threshold: Double, environment: String? = nil, deploymentId: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.metric = metric
        self.value = value
        self.threshold = threshold
        self.environment = environment
        self.deploymentId = deploymentId
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// A breached metric is back within its threshold.
public struct MetricRecovered: Codable, Sendable, Equatable {
    public var metric: String
    public var value: Double
    public var environment: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        metric: String, value: Double, environment: String? = nil, service: String, team: String? = nil,
        occurredAt: Date
    ) {
        self.metric = metric
        self.value = value
        self.environment = environment
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// Something broke for users. Stream `incident-{incidentId}`.
public struct IncidentOpened: Codable, Sendable, Equatable {
    public var incidentId: String
    public var title: String
    /// 1 (most severe) to 4.
    public var severity: Int
    /// The deployment that caused it, if known: what change failure rate counts.
    public var deploymentId: String?
    public var rootCauseSha: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        incidentId: String, title: String, severity: Int, deploymentId: String? = nil, rootCauseSha: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.incidentId = incidentId
        self.title = title
        self.severity = severity
        self.deploymentId = deploymentId
        self.rootCauseSha = rootCauseSha
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

/// An incident is over: the end of its time to restore. Keeps the opening's links.
public struct IncidentResolved: Codable, Sendable, Equatable {
    public var incidentId: String
    public var resolution: String?
    /// The deployment that caused it, as the opening said.
    public var deploymentId: String?
    /// The commit that caused it: the resolution's if it names one, else the opening's.
    public var rootCauseSha: String?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        incidentId: String, resolution: String? = nil, deploymentId: String? = nil, rootCauseSha: String? = nil,
        service: String, team: String? = nil, occurredAt: Date
    ) {
        self.incidentId = incidentId
        self.resolution = resolution
        self.deploymentId = deploymentId
        self.rootCauseSha = rootCauseSha
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension MetricBreached: EventPayload {
    static let eventType = "MetricBreached"
    var streamId: String { "metric-\(service):\(metric)" }
    var event: DomainEvent { .metricBreached(self) }
}

extension MetricRecovered: EventPayload {
    static let eventType = "MetricRecovered"
    var streamId: String { "metric-\(service):\(metric)" }
    var event: DomainEvent { .metricRecovered(self) }
}

extension IncidentOpened: EventPayload {
    static let eventType = "IncidentOpened"
    var streamId: String { "incident-\(incidentId)" }
    var event: DomainEvent { .incidentOpened(self) }
}

extension IncidentResolved: EventPayload {
    static let eventType = "IncidentResolved"
    var streamId: String { "incident-\(incidentId)" }
    var event: DomainEvent { .incidentResolved(self) }
}
