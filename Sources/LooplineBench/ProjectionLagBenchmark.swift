import Commands
import EventStore
import Foundation
import Logging
import Postgres
import Projections
import ServiceLifecycle
import Synchronization

/// Live projection lag: commands at a steady rate through the real handler, every read model
/// following in projection workers with a client of their own; the lag of an event is the
/// time from its append's acknowledgement until every projection's checkpoint has passed it.
enum ProjectionLagBenchmark {
    struct Result {
        var samples: Int
        var rate: Double
        var p50: Double
        var p99: Double
        var max: Double
    }

    static func measure(
        database: BenchmarkDatabase, files: SchemaFiles, eventsPerSecond: Int, seconds: Int, logger: Logger
    ) async throws -> Result {
        let workerClient = PostgresClient(configuration: .init(conninfo: "dbname=\(database.name)", maxConnections: 10), logger: logger)
        let workerStore = EventStore(client: workerClient, logger: logger)
        let workers = try ProjectionService(files: files, store: workerStore, client: workerClient, logger: logger)
        let running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await workerStore.run() }
                group.addTask { try await workers.run() }
                try await group.next()
                group.cancelAll()
            }
        }
        defer { running.cancel() }
        try await waitUntilRunning(database.client)

        let pending = Acknowledgements()
        let lags = Mutex<[Double]>([])
        let done = Atomic(false)
        let polling = Task {
            while !done.load(ordering: .relaxed) || !pending.list.withLock({ $0.isEmpty }) {
                let applied = try await database.client.withConnection { connection in
                    try connection.query("SELECT min(position) FROM projections")[0].decode(0, as: Int64.self)
                }
                let now = ContinuousClock.now
                pending.list.withLock { pending in
                    // Commands run concurrently, so acknowledgements arrive in any position order.
                    let reached = pending.filter { $0.position <= applied }
                    lags.withLock { lags in lags += reached.map { $0.acknowledged.duration(to: now).milliseconds } }
                    pending.removeAll { $0.position <= applied }
                }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        let elapsed = try await sendSteadily(
            CommandHandler(store: database.store, logger: logger), eventsPerSecond: eventsPerSecond, seconds: seconds
        ) { result, acknowledged in
            pending.list.withLock { $0.append((result.events.last!.position, acknowledged)) }
        }
        done.store(true, ordering: .relaxed)
        try await polling.value
        await workerClient.close()
        let sorted = lags.withLock { $0 }.sorted()
        return Result(
            samples: sorted.count, rate: Double(eventsPerSecond * seconds) / elapsed.seconds,
            p50: nearestRank(sorted, 0.5), p99: nearestRank(sorted, 0.99), max: sorted.last ?? 0)
    }

    /// Sends `eventsPerSecond` × `seconds` commands through `handler` (`command(firstIndex + i)`),
    /// open loop: each goes at its time whether or not the ones before have been answered, so a
    /// slow commit does not lower the rate offered. Returns how long it took.
    static func sendSteadily(
        _ handler: CommandHandler, eventsPerSecond: Int, seconds: Int, firstIndex: Int = 0,
        acknowledged: @escaping @Sendable (CommandResult, ContinuousClock.Instant) -> Void
    ) async throws -> Duration {
        let interval = Duration.seconds(1) / eventsPerSecond
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<(eventsPerSecond * seconds) {
                try await Task.sleep(until: start + interval * index)
                let (name, body) = command(firstIndex + index)
                group.addTask {
                    let result = try await handler.handle(
                        name: name, body: Data(body.utf8), idempotencyKey: nil, caller: (id: "bench", name: "bench"))
                    acknowledged(result, ContinuousClock.now)
                }
            }
            try await group.waitForAll()
        }
        return start.duration(to: .now)
    }

    /// Waits until every projection is claimed and has built its tables.
    static func waitUntilRunning(_ client: PostgresClient) async throws {
        for _ in 0..<600 {
            let statuses = try await ProjectionStatus.all(ReadModels.all, client: client)
            if statuses.allSatisfy({ $0.state == "running" && $0.ownerActive }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("the projection workers did not start")
    }

    /// A story's way to production, one event per command, unique per index.
    static func command(_ index: Int) -> (String, String) {
        let story = index / 5
        let sha = String(format: "%08x", story)
        switch index % 5 {
        case 0: return ("create-story", #"{"storyId": "LAG-\#(story)", "title": "Story \#(story)", "service": "svc\#(story % 8)"}"#)
        case 1: return ("integrate-commit", #"{"sha": "\#(sha)", "storyIds": ["LAG-\#(story)"], "service": "svc\#(story % 8)"}"#)
        case 2: return ("pass-build", #"{"buildId": "b\#(story)", "sha": "\#(sha)", "durationSeconds": 90, "service": "svc\#(story % 8)"}"#)
        case 3: return ("complete-test-run", #"{"runId": "r\#(story)", "suite": "unit", "sha": "\#(sha)", "passed": 20, "failed": 0, "skipped": 1, "service": "svc\#(story % 8)"}"#)
        default: return ("succeed-deployment", #"{"deploymentId": "d\#(story)", "environment": "production", "sha": "\#(sha)", "service": "svc\#(story % 8)"}"#)
        }
    }
}

/// Appends acknowledged and not yet reached by every projection, shared by the commands in
/// flight and the poller.
private final class Acknowledgements: Sendable {
    let list = Mutex<[(position: Int64, acknowledged: ContinuousClock.Instant)]>([])
}
