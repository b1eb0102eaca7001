/// Every read model this build maintains.
public enum ReadModels {
    public static let all: [any Projection] = [
        PlanningProjection(),
    ]
}
