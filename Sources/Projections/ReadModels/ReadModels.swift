/// Every read model this build maintains: one per continuous stage, and the facts behind DORA.
public enum ReadModels {
    public static let all: [any Projection] = [
        PlanningProjection(), IntegrationProjection(), TestingProjection(), DeliveryProjection(), MonitoringProjection(),
        FeedbackProjection(), ImprovementProjection(), DORAProjection(),
    ]
}
