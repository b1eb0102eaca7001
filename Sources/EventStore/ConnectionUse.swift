import Postgres

/// How the store's connection pool is used right now: what `/health` and `/metrics` show,
/// without the layers above the store knowing the database client.
public struct ConnectionUse: Sendable, Hashable, Encodable {
    /// The most connections the pool opens.
    public var size: Int
    public var inUse: Int
    /// Open and free.
    public var idle: Int
    /// Tasks waiting for a connection.
    public var waiting: Int
    /// Waits that gave up since start.
    public var acquireTimeouts: Int
}

extension EventStore {
    public var connectionUse: ConnectionUse {
        let pool = client.statistics
        return ConnectionUse(
            size: pool.size, inUse: pool.inUse, idle: pool.idle, waiting: pool.waiting, acquireTimeouts: pool.acquireTimeouts)
    }
}
