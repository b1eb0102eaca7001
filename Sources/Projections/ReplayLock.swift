import Postgres

/// One replay at a time per database: replays build into the same shadow schemas, so a second
/// one would drop the first's shadows and mix its rows into its own. The lock is a session
/// advisory lock on a connection of its own, so it is released when the replay ends, and by
/// PostgreSQL when the process dies.
final class ReplayLock: @unchecked Sendable {
    // @unchecked: the connection is only used on the client's blocking threads, one call at a
    // time (open, then release), never concurrently.
    private let connection: Connection
    static let key = "SELECT pg_try_advisory_lock(hashtext('loopline.replay'))"

    private init(connection: Connection) { self.connection = connection }

    /// Takes the lock; throws `ReplayRunning` when another replay holds it.
    static func acquire(client: PostgresClient) async throws -> ReplayLock {
        let conninfo = client.configuration.conninfo
        return try await client.withConnection { _ in
            let connection = try Connection(conninfo: conninfo, applicationName: "loopline replay lock")
            guard try connection.query(key)[0].decode(0, as: Bool.self) else { throw ReplayRunning() }
            return ReplayLock(connection: connection)
        }
    }

    /// Releases the lock and closes its connection.
    func release(client: PostgresClient) async {
        _ = try? await client.withConnection { [self] _ in
            _ = try connection.execute("SELECT pg_advisory_unlock_all()")
        }
    }
}

/// Another replay is running against this database.
public struct ReplayRunning: Error, Sendable, CustomStringConvertible {
    public var description: String {
        "another replay is running against this database; wait for it to finish (see `loopline projections`)"
    }
}
