public import EventStore
import Foundation
public import Logging
public import Postgres
import Synchronization

/// Rebuilds read models from the log: `loopline replay`.
///
/// Each chosen projection is built into a shadow schema (`<name>_replay`) from position 0 at
/// full speed, reading the log once for all of them, while the live models keep serving and
/// following the log: unlogged, creations by COPY, without the indexes only queries use. Then
/// the shadows are made logged and get those indexes, the replay takes the projections' leases
/// (live workers step back at their next batch: the checkpoint fence refuses them), brings the
/// shadows up to the head, and swaps them in with their checkpoint in one transaction. Nothing
/// it does touches a live model before that transaction, so an interrupted or failed replay
/// leaves them as they were.
///
/// `verify` compares instead of swapping: it holds the leases from the start, rebuilds each
/// shadow up to exactly its live model's position, and lists every row that differs. Live
/// models pause while it runs (they keep answering queries) and catch up afterwards.
public struct Replay: Sendable {
    public struct Progress: Sendable {
        public var position: Int64
        public var target: Int64
        public var events: Int
        public var elapsed: Duration
    }

    /// A row in one model and not the other.
    public struct Difference: Sendable, Codable, Hashable {
        public var projection: String
        public var table: String
        /// `live_only` or `rebuilt_only`.
        public var side: String
        public var rows: Int
        /// Up to five of those rows, as JSON.
        public var examples: [String]
    }

    public struct Report: Sendable, Codable {
        public var projections: [String]
        public var events: Int
        public var position: Int64
        public var seconds: Double
        public var eventsPerSecond: Double
        public var swapped: Bool
        public var verified: Bool?
        public var differences: [Difference]
    }

    let projections: [any Projection]
    let files: SchemaFiles
    let store: EventStore
    let client: PostgresClient
    let batchSize: Int
    let logger: Logger
    let owner = "replay/\(getpid())/\(UUID().uuidString.prefix(8).lowercased())"
    /// Long enough to outlast a slow batch; renewed while held.
    let lease: Duration = .seconds(30)

    /// Throws `schema_mismatch` when a file of `schema/` that the projections or the analytics
    /// views are built from is missing, before anything is built.
    public init(
        projections: [any Projection], files: SchemaFiles, store: EventStore, client: PostgresClient,
        batchSize: Int = EventStore.maximumReadLimit, logger: Logger
    ) throws {
        try files.require(projections.flatMap(\.schemaFiles) + AnalyticsViews.files)
        self.projections = projections
        self.files = files
        self.store = store
        self.client = client
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Rebuilds and swaps in (or, with `verify`, rebuilds and compares). `progress` is called
    /// after every batch.
    /// Throws `ReplayRunning` at once when another replay is running against the database.
    public func run(verify: Bool, progress: @escaping @Sendable (Progress) -> Void) async throws -> Report {
        let lock = try await ReplayLock.acquire(client: client)
        do {
            let report = try await rebuild(verify: verify, progress: progress)
            await lock.release(client: client)
            return report
        } catch {
            await lock.release(client: client)
            throw error
        }
    }

    private func rebuild(verify: Bool, progress: @escaping @Sendable (Progress) -> Void) async throws -> Report {
        let started = ContinuousClock.now
        let shadows = ShadowSchemas(projections: projections, files: files, client: client)
        do {
            try await shadows.create()
            try await registerAll()
            let report: Report
            if verify {
                let livePositions = try await takeLeases()
                report = try await withLeasesHeld {
                    let applied = try await build(shadows, upTo: livePositions, started: started, progress: progress)
                    let differences = try await shadows.compare()
                    return Report(
                        projections: projections.map(\.name), events: applied.events, position: applied.position,
                        seconds: seconds(since: started), eventsPerSecond: rate(applied.events, since: started), swapped: false,
                        verified: differences.isEmpty, differences: differences)
                }
                try await cleanUp(shadows)
            } else {
                let head = try await store.headPosition()
                var applied = try await build(shadows, through: head, started: started, progress: progress)
                logger.info("replay: shadows built", metadata: phase(applied, since: started))
                try await shadows.complete()
                logger.info("replay: shadows logged and indexed", metadata: phase(applied, since: started))
                _ = try await takeLeases()
                report = try await withLeasesHeld {
                    // The head moved on while the bulk ran: the last stretch, under the leases.
                    applied = try await build(shadows, from: applied, through: try await store.headPosition(), started: started, progress: progress)
                    try await shadows.swap(owner: owner, position: applied.position, recordedAt: applied.recordedAt)
                    return Report(
                        projections: projections.map(\.name), events: applied.events, position: applied.position,
                        seconds: seconds(since: started), eventsPerSecond: rate(applied.events, since: started), swapped: true,
                        verified: nil, differences: [])
                }
            }
            return report
        } catch {
            // An unstructured task: this one may be cancelled, and the clean-up must still run.
            let replay = self
            await Task { try? await replay.cleanUp(shadows) }.value
            throw error
        }
    }

    /// Where a build stands.
    struct Applied: Sendable {
        var position: Int64 = 0
        var events = 0
        var recordedAt: Date?
    }

    /// Applies the log to the shadows up to `head` (every projection alike).
    func build(
        _ shadows: ShadowSchemas, from start: Applied = Applied(), through head: Int64, started: ContinuousClock.Instant,
        progress: @escaping @Sendable (Progress) -> Void
    ) async throws -> Applied {
        try await build(shadows, from: start, upTo: Dictionary(uniqueKeysWithValues: projections.map { ($0.name, head) }), started: started, progress: progress)
    }

    /// Applies the log to each shadow up to its own limit.
    ///
    /// A reader reads and decodes the log (the next page while this one is decoded) and feeds
    /// each projection's writer through a queue of its own: the projections write side by side,
    /// the faster ones up to a few batches ahead of the slowest, which writes what piled up for
    /// it in one go (fewer, larger statements where they are needed most).
    func build(
        _ shadows: ShadowSchemas, from start: Applied = Applied(), upTo limits: [String: Int64], started: ContinuousClock.Instant,
        progress: @escaping @Sendable (Progress) -> Void
    ) async throws -> Applied {
        let target = limits.values.max() ?? 0
        guard start.position < target else { return start }
        let queues = projections.map { _ in BatchQueue<Batch>(capacity: 4) }
        let standings = WriterStandings(count: projections.count)
        return try await withThrowingTaskGroup(of: Applied?.self) { group in
            for (index, projection) in projections.enumerated() {
                let limit = limits[projection.name] ?? 0
                group.addTask {
                    var roomy: Set<String> = []
                    while case let batches = try await queues[index].nextAll(), let batch = batches.last {
                        roomy = try await shadows.write(batches.flatMap(\.events), into: index, upTo: limit, roomy: roomy)
                        if let slowest = standings.wrote(batch, by: index) {
                            progress(Progress(position: slowest.through, target: target, events: slowest.read, elapsed: ContinuousClock.now - started))
                        }
                    }
                    return nil
                }
            }
            group.addTask {
                defer { queues.forEach { $0.finish() } }
                return try await read(shadows, from: start, through: target, into: queues)
            }
            var applied = start
            for try await outcome in group { if let outcome { applied = outcome } }
            return applied
        }
    }

    /// A page's events for one projection, and how far the log has been read with it.
    struct Batch: Sendable {
        var events: [ProjectedEvent]
        /// The page's end: the writer stands here once it has written the batch.
        var through: Int64
        /// Events read up to and including this page.
        var read: Int
    }

    /// Reads the log after `start` up to `target`, each page to every writer's queue.
    private func read(
        _ shadows: ShadowSchemas, from start: Applied, through target: Int64, into queues: [BatchQueue<Batch>]
    ) async throws -> Applied {
        var applied = start
        let (store, limit) = (store, min(batchSize, EventStore.maximumReadLimit))
        // PostgreSQL reads the next page while this one is decoded.
        func fetch(after position: Int64) -> Task<LogPage, any Error> {
            Task { try await store.read(after: position, limit: limit, metadata: false) }
        }
        var fetching = fetch(after: applied.position)
        defer { fetching.cancel() }
        while applied.position < target {
            try Task.checkCancellation()
            let page = try await fetching.value
            let events = page.events.filter { $0.position <= target }
            if events.isEmpty && page.next <= applied.position {
                try await Task.sleep(for: .milliseconds(10))  // an open append holds the horizon back
                fetching = fetch(after: applied.position)
                continue
            }
            let next = min(max(page.next, events.last?.position ?? 0), target)
            if next < target { fetching = fetch(after: next) }
            let decoded = try await shadows.decode(events)
            applied.events += events.count
            applied.position = next
            applied.recordedAt = events.last?.recordedAt ?? applied.recordedAt
            for (queue, events) in zip(queues, shadows.batches(decoded)) {
                try await queue.send(Batch(events: events, through: next, read: applied.events))
            }
        }
        return applied
    }

    /// Makes sure every projection has its row, so its lease can be taken.
    func registerAll() async throws {
        try await client.withConnection { connection in
            for projection in projections {
                _ = try connection.query(
                    "INSERT INTO projections (name, version) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                    [projection.name, projection.version])
            }
        }
    }

    /// Takes the leases from whoever holds them; returns each live model's position. A live
    /// worker in the middle of a batch finishes it first (its checkpoint row is locked), then
    /// is fenced off.
    func takeLeases() async throws -> [String: Int64] {
        let names = projections.map(\.name)
        let (owner, lease) = (owner, lease)
        return try await client.withConnection { connection in
            let rows = try connection.query(
                """
                UPDATE projections SET owner = $2, lease_until = now() + $3::interval
                 WHERE name = ANY($1::text[]) RETURNING name, position
                """, [PostgresTextArray(names), owner, ProjectionTable.interval(lease)]
            ).rows
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: Int64.self)) })
        }
    }

    /// Runs `body` while renewing the leases.
    func withLeasesHeld<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let (client, names, owner, lease) = (client, projections.map(\.name), owner, lease)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(5))
                    _ = try await client.withConnection { connection in
                        try connection.query(
                            "UPDATE projections SET lease_until = now() + $3::interval WHERE name = ANY($1::text[]) AND owner = $2",
                            [PostgresTextArray(names), owner, ProjectionTable.interval(lease)])
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Drops the shadows and hands back any lease this replay holds.
    func cleanUp(_ shadows: ShadowSchemas) async throws {
        try await shadows.drop()
        let (names, owner) = (projections.map(\.name), owner)
        try await client.withConnection { connection in
            _ = try connection.query(
                "UPDATE projections SET owner = NULL, lease_until = NULL WHERE name = ANY($1::text[]) AND owner = $2",
                [PostgresTextArray(names), owner])
        }
    }

    /// Log metadata for the end of a phase.
    private func phase(_ applied: Applied, since start: ContinuousClock.Instant) -> Logger.Metadata {
        [
            "loopline.replay.position": "\(applied.position)", "loopline.replay.events": "\(applied.events)",
            "loopline.replay.seconds": "\(String(format: "%.1f", seconds(since: start)))",
        ]
    }

    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func rate(_ events: Int, since start: ContinuousClock.Instant) -> Double {
        (Double(events) / max(seconds(since: start), 1e-9)).rounded()
    }
}

/// Where each writer of a build stands: progress is where the slowest one is.
private final class WriterStandings: Sendable {
    /// Per writer, its last batch's end and the events read up to it (not the batch: its
    /// events are let go once written).
    private let written: Mutex<[(through: Int64, read: Int)?]>

    init(count: Int) {
        written = Mutex(Array(repeating: nil, count: count))
    }

    /// Records that writer `index` has written `batch`; where the slowest writer stands, once
    /// every writer has written a batch.
    func wrote(_ batch: Replay.Batch, by index: Int) -> (through: Int64, read: Int)? {
        written.withLock { written in
            written[index] = (batch.through, batch.read)
            guard written.allSatisfy({ $0 != nil }) else { return nil }
            return written.compactMap { $0 }.min { $0.through < $1.through }
        }
    }
}
