import Postgres

/// A transaction that holds the log back: it was running when a hole was seen.
public struct BlockingTransaction: Sendable, Hashable, Codable {
    public var transactionId: UInt64
    /// The backend process id (`pg_stat_activity.pid`), nil if it ended meanwhile.
    public var pid: Int32?
    /// How long its transaction has been open.
    public var openForSeconds: Double?
    /// `active`, `idle in transaction`, ...
    public var state: String?
    public var applicationName: String?
    public var database: String?
    /// True when it holds a write lock on the log table, i.e. it is appending.
    public var appending: Bool
}

/// The statements behind the gap-free rule, run on a leased connection.
enum HorizonProbe {
    /// One statement, hence one snapshot, for both the snapshot and the positions it sees.
    /// When it sees a hole, it also lists the transaction ids of all running backends and
    /// prepared transactions, read after the snapshot was taken: the snapshot itself does not
    /// list running transactions whose ids are at or above its xmax. Run it in autocommit
    /// mode: inside a transaction the backend list would be a cached copy.
    static let observeSQL = """
        WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot()::text AS text),
        visible AS (
            SELECT global_position AS p FROM events
            WHERE global_position > $1::bigint ORDER BY global_position LIMIT $2::integer
        ),
        seen AS (SELECT max(p) AS top, count(*) AS n FROM visible),
        -- Positions are contiguous when there are as many as the span they cover: the usual
        -- case, told by a count; only otherwise are the steps between them looked at.
        hole AS (SELECT CASE WHEN coalesce(top - $1::bigint = n, true) THEN NULL
                             ELSE (SELECT min(p - step + 1)
                                     FROM (SELECT p, p - lag(p, 1, $1::bigint) OVER (ORDER BY p) AS step FROM visible) steps
                                    WHERE step > 1) END AS position
                   FROM seen)
        SELECT (SELECT text FROM snapshot), (SELECT top FROM seen), (SELECT position FROM hole), (SELECT n FROM seen),
               (SELECT array_agg(xid::text) FROM (
                    SELECT backend_xid AS xid FROM pg_stat_get_activity(NULL) WHERE backend_xid IS NOT NULL
                    UNION ALL SELECT transaction FROM pg_prepared_xacts) AS running
                WHERE (SELECT position FROM hole) IS NOT NULL)
        """

    /// The transaction ids (32-bit, as in pg_locks) of sessions holding a write lock on
    /// `events`. Every append takes that lock before its positions and keeps it to the end,
    /// so a running transaction without it cannot fill a hole seen before this query.
    static let appendersSQL = """
        SELECT own.transactionid::text
        FROM pg_locks rel
        JOIN pg_locks own ON own.virtualtransaction = rel.virtualtransaction
         AND own.locktype = 'transactionid' AND own.mode = 'ExclusiveLock' AND own.granted
        WHERE rel.locktype = 'relation' AND rel.relation = 'events'::regclass
          AND rel.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND rel.mode = 'RowExclusiveLock' AND rel.granted
        """

    static let activitySQL = """
        SELECT pid, backend_xid::text, extract(epoch FROM clock_timestamp() - xact_start)::float8,
               state, application_name, datname
        FROM pg_stat_activity WHERE backend_xid IS NOT NULL
        """

    static func observe(_ connection: Connection, from: Int64, window: Int) throws -> LogHorizon.Observation {
        let row = try connection.query(observeSQL, [from, window])[0]
        let snapshotText = try row.decode(0, as: String.self)
        guard let snapshot = TransactionSnapshot(parsing: snapshotText) else {
            throw PostgresError(kind: .protocolViolation, message: "unreadable snapshot \(snapshotText)")
        }
        // 32-bit xids of running transactions, widened with the snapshot's epoch: they were
        // handed out around the snapshot, so at most one wraparound apart from its xmax.
        let running = Set(PostgresArrayText.elements(try row.decode(4, as: String?.self)).compactMap(UInt32.init).map {
            snapshot.widen($0)
        })
        return LogHorizon.Observation(
            from: from, snapshot: snapshot, highestVisible: try row.decode(1, as: Int64?.self),
            firstMissing: try row.decode(2, as: Int64?.self), windowFull: try row.decode(3, as: Int.self) >= window,
            runningAboveXmax: running)
    }

    /// The low 32 bits of the ids of transactions appending right now.
    static func appendingTransactions(_ connection: Connection) throws -> Set<UInt32> {
        Set(try connection.query(appendersSQL).column(0, as: String.self).compactMap { UInt32($0) })
    }

    /// Describes the given transactions from `pg_stat_activity` (never their SQL text,
    /// which may hold secrets).
    static func describe(_ connection: Connection, transactions: Set<UInt64>) throws -> [BlockingTransaction] {
        let appending = try appendingTransactions(connection)
        var found: [UInt32: BlockingTransaction] = [:]
        for row in try connection.query(activitySQL).rows {
            guard let xid = UInt32(try row.decode(1, as: String.self)) else { continue }
            found[xid] = BlockingTransaction(
                transactionId: UInt64(xid), pid: try row.decode(0, as: Int32.self),
                openForSeconds: try row.decode(2, as: Double?.self), state: try row.decode(3, as: String?.self),
                applicationName: try row.decode(4, as: String?.self), database: try row.decode(5, as: String?.self),
                appending: appending.contains(xid))
        }
        return transactions.sorted().map { xid in
            var entry =
                found[UInt32(truncatingIfNeeded: xid)]
                ?? BlockingTransaction(transactionId: xid, appending: appending.contains(UInt32(truncatingIfNeeded: xid)))
            entry.transactionId = xid
            return entry
        }
    }
}

extension UInt64 {
    /// The 32-bit `xid` that `pg_locks` and `pg_stat_activity` show for this `xid8`.
    var shortTransactionId: UInt32 { UInt32(truncatingIfNeeded: self) }
}

extension TransactionSnapshot {
    /// The 64-bit id of a 32-bit xid handed out near this snapshot.
    func widen(_ xid: UInt32) -> UInt64 {
        let epoch = xmax & ~0xFFFF_FFFF
        var full = epoch | UInt64(xid)
        // Near a wraparound an xid can sit in the next or the previous epoch.
        if full + 0x8000_0000 < xmax { full += 0x1_0000_0000 } else if full > xmax + 0x8000_0000 && full >= 0x1_0000_0000 { full -= 0x1_0000_0000 }
        return full
    }
}

/// PostgreSQL's text form of a one-dimensional array of simple values: `{1,2,3}`.
enum PostgresArrayText {
    static func elements(_ text: String?) -> [String] {
        guard let text, text.count >= 2 else { return [] }
        return text.dropFirst().dropLast().split(separator: ",").map(String.init)
    }
}
