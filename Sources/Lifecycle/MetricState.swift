/// One metric of one service, through breaches and recoveries: the stream lives on after a recovery.
public struct MetricState: Sendable, Equatable {
    public var service: String
    public var metric: String
    public var isBreached: Bool

    public init(service: String, metric: String, isBreached: Bool) {
        self.service = service
        self.metric = metric
        self.isBreached = isBreached
    }
}

extension MetricBreached {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .metric(MetricState(service: service, metric: metric, isBreached: true))
    }
}

extension MetricRecovered {
    func evolve(_ entity: StreamState.Entity) -> StreamState.Entity {
        .metric(MetricState(service: service, metric: metric, isBreached: false))
    }
}
