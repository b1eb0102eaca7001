public import EventStore
public import Foundation
public import Postgres
import Synchronization

/// A flag one task sets and another polls.
public final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    public init() {}
    public func set() { value.store(true, ordering: .sequentiallyConsistent) }
    public var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }

    /// Polls until set; fails the wait after `timeout` (a hang detector, not a speed check).
    public func wait(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isSet {
            guard ContinuousClock.now < deadline else { throw TimeoutError(what: "flag") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

public struct TimeoutError: Error, CustomStringConvertible {
    public var what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

extension TestDatabase {
    /// A plain multi-row INSERT: positions come from the column default, as for any writer.
    static let rawAppendSQL = """
        INSERT INTO events (event_id, stream_id, stream_version, type, data)
        SELECT gen_random_uuid(), $1, coalesce((SELECT max(stream_version) FROM events WHERE stream_id = $1), 0) + n,
               'HeldEvent', jsonb_build_object('held', n)
        FROM generate_series(1, $2::integer) AS n
        RETURNING global_position
        """

    /// Appends `count` events in a transaction that stays open for `hold` after its positions
    /// are taken (setting `taken`), then commits or rolls back. This is the writer that
    /// breaks naive readers: its positions are lower than those of appends committing meanwhile.
    /// Returns the backend pid and the positions it took.
    public func appendHoldingTransaction(
        stream: String, count: Int, hold: Duration, rollback: Bool = false, taken: Flag = Flag()
    ) async throws -> (pid: Int32, positions: [Int64]) {
        let seconds = hold.inSeconds
        return try await appendHoldingTransaction(stream: stream, count: count, rollback: rollback, taken: taken) { connection in
            try connection.query("SELECT pg_sleep($1)", [seconds])
        }
    }

    /// The same, held open until `release` is set, however long that takes: for tests that
    /// look at the open transaction and must not race a timer on a loaded machine.
    public func appendHoldingTransaction(
        stream: String, count: Int, until release: Flag, rollback: Bool = false, taken: Flag = Flag()
    ) async throws -> (pid: Int32, positions: [Int64]) {
        try await appendHoldingTransaction(stream: stream, count: count, rollback: rollback, taken: taken) { _ in
            // On the connection's own blocking thread, never on the concurrency pool.
            while !release.isSet { usleep(5_000) }
        }
    }

    private func appendHoldingTransaction(
        stream: String, count: Int, rollback: Bool, taken: Flag, holding: @escaping @Sendable (Connection) throws -> Void
    ) async throws -> (pid: Int32, positions: [Int64]) {
        try await client.withConnection { connection in
            try connection.execute("BEGIN")
            let positions = try connection.query(Self.rawAppendSQL, [stream, count])
                .column(0, as: Int64.self)
            taken.set()
            try holding(connection)
            try connection.execute(rollback ? "ROLLBACK" : "COMMIT")
            return (connection.backendPID, positions)
        }
    }

    /// Every event from position 0, read page by page.
    public func readEverything() async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try await store.readAll(after: events.last?.position ?? 0, limit: 1000)
            if page.isEmpty { return events }
            events += page
        }
    }

    /// The number of rows in the log.
    public func eventCount() async throws -> Int {
        try await client.withConnection { connection in
            try connection.query("SELECT count(*) FROM events")[0].decode(0, as: Int.self)
        }
    }
}

extension Duration {
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
