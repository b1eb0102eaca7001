/// How projection workers read, own and wait. The defaults suit a production deployment;
/// tests shorten the lease to exercise takeover quickly.
public struct ProjectionOptions: Sendable {
    /// Events read and applied per transaction.
    public var batchSize = 500
    /// How long an owner's claim lasts without renewal: the longest a crashed owner's
    /// projections stand still before another worker takes them over.
    public var lease: Duration = .seconds(5)
    /// How often an owner renews its lease.
    public var renewEvery: Duration = .seconds(1)
    /// How often a worker without the lease tries to take it.
    public var claimEvery: Duration = .seconds(1)
    /// How often to look for new events when no notification arrives.
    public var pollInterval: Duration = .seconds(1)

    public init(
        batchSize: Int = 500, lease: Duration = .seconds(5), renewEvery: Duration = .seconds(1),
        claimEvery: Duration = .seconds(1), pollInterval: Duration = .seconds(1)
    ) {
        self.batchSize = batchSize
        self.lease = lease
        self.renewEvery = renewEvery
        self.claimEvery = claimEvery
        self.pollInterval = pollInterval
    }
}
