/// Every read model this build maintains, one per continuous stage.
public enum ReadModels {
    public static let all: [any Projection] = [
        PlanningProjection(), IntegrationProjection(), TestingProjection(), DeliveryProjection(), MonitoringProjection(),
        FeedbackProjection(), ImprovementProjection(),
    ]
}
