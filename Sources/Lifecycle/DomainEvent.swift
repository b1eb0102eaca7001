public import Foundation

/// Every event of the catalogue; each case wraps a `Codable` struct of the same name.
public enum DomainEvent: Sendable, Equatable {
    // Planning
    case storyCreated(StoryCreated)
    case storyPrioritized(StoryPrioritized)
    case storyStarted(StoryStarted)
    case storyCompleted(StoryCompleted)
    case storyCancelled(StoryCancelled)
    // Integration
    case commitIntegrated(CommitIntegrated)
    case buildStarted(BuildStarted)
    case buildPassed(BuildPassed)
    case buildFailed(BuildFailed)
    // Testing
    case testRunCompleted(TestRunCompleted)
    // Delivery
    case deploymentStarted(DeploymentStarted)
    case deploymentSucceeded(DeploymentSucceeded)
    case deploymentFailed(DeploymentFailed)
    case deploymentRolledBack(DeploymentRolledBack)
    case releasePublished(ReleasePublished)
    // Monitoring
    case metricBreached(MetricBreached)
    case metricRecovered(MetricRecovered)
    case incidentOpened(IncidentOpened)
    case incidentResolved(IncidentResolved)
    // Feedback
    case feedbackReceived(FeedbackReceived)
    // Improvement
    case improvementProposed(ImprovementProposed)
    case improvementCompleted(ImprovementCompleted)

    /// The struct of every case, in catalogue order: the one list to extend with a new event.
    static let payloadTypes: [any EventPayload.Type] = [
        StoryCreated.self, StoryPrioritized.self, StoryStarted.self, StoryCompleted.self, StoryCancelled.self,
        CommitIntegrated.self, BuildStarted.self, BuildPassed.self, BuildFailed.self,
        TestRunCompleted.self,
        DeploymentStarted.self, DeploymentSucceeded.self, DeploymentFailed.self, DeploymentRolledBack.self,
        ReleasePublished.self,
        MetricBreached.self, MetricRecovered.self, IncidentOpened.self, IncidentResolved.self,
        FeedbackReceived.self,
        ImprovementProposed.self, ImprovementCompleted.self,
    ]

    /// Every event type name, in catalogue order.
    public static let types: [String] = payloadTypes.map { $0.eventType }

    /// The schema version this build writes, per event type.
    public static let schemaVersions: [String: Int] = Dictionary(
        uniqueKeysWithValues: payloadTypes.map { ($0.eventType, $0.schemaVersion) })

    static let payloadTypesByName: [String: any EventPayload.Type] = Dictionary(
        uniqueKeysWithValues: payloadTypes.map { ($0.eventType, $0) })

    /// The wrapped struct.
    var payload: any EventPayload {
        switch self {
        case .storyCreated(let event): event
        case .storyPrioritized(let event): event
        case .storyStarted(let event): event
        case .storyCompleted(let event): event
        case .storyCancelled(let event): event
        case .commitIntegrated(let event): event
        case .buildStarted(let event): event
        case .buildPassed(let event): event
        case .buildFailed(let event): event
        case .testRunCompleted(let event): event
        case .deploymentStarted(let event): event
        case .deploymentSucceeded(let event): event
        case .deploymentFailed(let event): event
        case .deploymentRolledBack(let event): event
        case .releasePublished(let event): event
        case .metricBreached(let event): event
        case .metricRecovered(let event): event
        case .incidentOpened(let event): event
        case .incidentResolved(let event): event
        case .feedbackReceived(let event): event
        case .improvementProposed(let event): event
        case .improvementCompleted(let event): event
        }
    }

    /// The type name, e.g. `StoryCreated`: the log's `type` column.
    public var type: String { Swift.type(of: payload).eventType }

    /// The schema version this build writes for the event's type: the log's `schema_version` column.
    public var schemaVersion: Int { Swift.type(of: payload).schemaVersion }

    /// When it happened, by the source's clock (the log's `recorded_at` is when it was recorded).
    public var occurredAt: Date { payload.occurredAt }

    public var service: String { payload.service }

    public var team: String? { payload.team }

    /// The stream the event belongs to, e.g. `story-PROJ-12`.
    public var streamId: String { payload.streamId }
}

/// What every event struct provides to `DomainEvent`.
protocol EventPayload: Codable, Sendable, Equatable {
    /// The type name, e.g. `StoryCreated`.
    static var eventType: String { get }
    /// The schema version this build writes; 1 unless the type has changed.
    static var schemaVersion: Int { get }
    var occurredAt: Date { get }
    var service: String { get }
    var team: String? { get }
    var streamId: String { get }
    /// The event wrapped in its `DomainEvent` case.
    var event: DomainEvent { get }
    /// The entity after this event: how `Decider.evolve` folds a stream.
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity
}

extension EventPayload {
    static var schemaVersion: Int { 1 }
}
