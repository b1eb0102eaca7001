/// Monitoring decisions: metrics alternate between breached and recovered; incidents open once and resolve once.
extension BreachMetric {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try context.checkEnvironment(environment)
        guard state.metric?.isBreached != true else {
            throw DomainError(
                code: "metric_already_breached",
                message: "\(metric) of \(service) is already in breach; recover it first")
        }
        return [
            .metricBreached(
                MetricBreached(
                    metric: metric, value: value, threshold: threshold, environment: environment,
                    deploymentId: deploymentId, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension RecoverMetric {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        try context.checkEnvironment(environment)
        guard state.metric?.isBreached == true else {
            throw DomainError(code: "metric_not_breached", message: "\(metric) of \(service) is not in breach")
        }
        return [
            .metricRecovered(
                MetricRecovered(
                    metric: metric, value: value, environment: environment, service: service, team: team,
                    occurredAt: context.occurredAt))
        ]
    }
}

extension OpenIncident {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(code: "incident_exists", message: "incident \(incidentId) already exists")
        }
        return [
            .incidentOpened(
                IncidentOpened(
                    incidentId: incidentId, title: title, severity: severity, deploymentId: deploymentId,
                    rootCauseSha: rootCauseSha, service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}

extension ResolveIncident {
    /// The event keeps the opening's links so read models can attribute the incident without a join.
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard let incident = state.incident, incident.isOpen else {
            throw DomainError(
                code: "incident_not_open",
                message: "incident \(incidentId) is \(state.incident == nil ? "not known" : "already resolved")")
        }
        return [
            .incidentResolved(
                IncidentResolved(
                    incidentId: incidentId, resolution: resolution, deploymentId: incident.deploymentId,
                    rootCauseSha: rootCauseSha ?? incident.rootCauseSha, service: service, team: team,
                    occurredAt: context.occurredAt))
        ]
    }
}
