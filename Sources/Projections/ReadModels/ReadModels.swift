/// Every read model this build maintains: one per continuous stage. DORA and the value stream
/// are read across them.
public enum ReadModels {
    public static let all: [any Projection] = [
        PlanningProjection(), IntegrationProjection(), TestingProjection(), DeliveryProjection(), MonitoringProjection(),
        FeedbackProjection(), ImprovementProjection(),
    ]

    /// The read models DORA's facts are read from: commits, deployments and incidents (`DORAFacts`).
    public static let doraSources = ["integration", "delivery", "monitoring"]
}
