/// An incident, folded from `IncidentOpened` and `IncidentResolved`.
public struct IncidentState: Sendable, Equatable {
    public var incidentId: String
    public var isOpen: Bool
    public var deploymentId: String?
    public var rootCauseSha: String?

    public init(incidentId: String, isOpen: Bool, deploymentId: String? = nil, rootCauseSha: String? = nil) {
        self.incidentId = incidentId
        self.isOpen = isOpen
        self.deploymentId = deploymentId
        self.rootCauseSha = rootCauseSha
    }
}

extension IncidentOpened {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .incident(
            IncidentState(incidentId: incidentId, isOpen: true, deploymentId: deploymentId, rootCauseSha: rootCauseSha))
    }
}

extension IncidentResolved {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .incident(
            IncidentState(
                incidentId: incidentId, isOpen: false, deploymentId: deploymentId, rootCauseSha: rootCauseSha))
    }
}
