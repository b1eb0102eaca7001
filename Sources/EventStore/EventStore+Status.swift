import Foundation
import Postgres

extension EventStore {
    /// The highest committed position (0 for an empty log).
    static let headSQL = "SELECT coalesce(max(global_position), 0) FROM events"
    /// The oldest start among transactions holding the log's write lock: only those can own
    /// a hole (see HorizonProbe.appendersSQL). A prepared transaction (two-phase commit) has no
    /// backend and no known start: it counts as older than the log, so judging starts at 0.
    static let oldestAppendSQL = """
        SELECT min(CASE WHEN rel.pid IS NULL THEN timestamptz 'epoch' ELSE a.xact_start END)
        FROM pg_locks rel LEFT JOIN pg_stat_activity a ON a.pid = rel.pid
        WHERE rel.locktype = 'relation' AND rel.relation = 'events'::regclass AND rel.mode = 'RowExclusiveLock'
          AND rel.granted AND (rel.pid IS NULL OR a.backend_xid IS NOT NULL)
        """
    /// Positions taken before a transaction started lie below all of its positions;
    /// `recorded_at` is taken with the position, the second of margin absorbs clock jitter.
    static let positionBeforeSQL = """
        SELECT coalesce(max(global_position), 0) FROM events WHERE recorded_at < $1::timestamptz - interval '1 second'
        """
    static let countAboveSQL = "SELECT count(*) FROM events WHERE global_position > $1"

    /// How far readers can go right now, and which transactions hold them back if any.
    public func status() async throws -> LogStatus {
        do {
            return try await client.withConnection { connection in try Self.status(connection) }
        } catch let error as PostgresError {
            throw EventStoreError.from(error)
        }
    }

    private static func status(_ connection: Connection) throws -> LogStatus {
        let head = try connection.query(headSQL)[0].decode(0, as: Int64.self)
        let appenders = try HorizonProbe.appendingTransactions(connection)
        let openAppends = try HorizonProbe.describe(
            connection, transactions: Set(appenders.map(UInt64.init))
        ).filter(\.appending)
        let horizon = try judgeHorizon(connection, head: head)
        let blockers = try horizon.fence.map { try HorizonProbe.describe(connection, transactions: $0.waitingOn) } ?? []
        let waiting = try connection.query(countAboveSQL, [horizon.safePosition])[0].decode(0, as: Int64.self)
        return LogStatus(
            headPosition: head, safePosition: horizon.safePosition, heldBack: horizon.fence != nil && waiting > 0,
            waitingEvents: waiting, blockers: blockers, openAppends: openAppends)
    }

    /// The safe position judged afresh (see `judgeHorizon`).
    static func judgeSafePosition(_ connection: Connection) throws -> Int64 {
        let head = try connection.query(headSQL)[0].decode(0, as: Int64.self)
        return try judgeHorizon(connection, head: head).safePosition
    }

    /// The horizon judged afresh, without waiting: it starts below every running append (not
    /// at 0) and stops at the first hole that one may still fill, so it costs a few statements
    /// however long the log is. `head` must be read before it is called: with nobody
    /// appending afterwards, every position up to it is final.
    static func judgeHorizon(_ connection: Connection, head: Int64) throws -> LogHorizon {
        guard let oldest = try connection.query(oldestAppendSQL)[0].decode(0, as: Date?.self) else {
            return LogHorizon(safePosition: head)
        }
        var horizon = LogHorizon(safePosition: try connection.query(positionBeforeSQL, [oldest])[0].decode(0))
        while true {
            let observation = try HorizonProbe.observe(connection, from: horizon.safePosition, window: 50_000)
            switch horizon.observe(observation) {
            case .readAgain: continue
            case .caughtUp: return horizon
            case .blocked:
                let appending = try HorizonProbe.appendingTransactions(connection)
                horizon.restrictFence { appending.contains($0.shortTransactionId) }
                if horizon.fence != nil { return horizon }
            }
        }
    }
}
