import EventStore
import Foundation
import Logging
import Postgres
import Synchronization

/// Append-to-follow latency: how long after an append starts does a follower in another
/// store (so woken by NOTIFY through PostgreSQL, not in-process) deliver it.
enum LatencyBenchmark {
    struct Result {
        var samples: Int
        var p50: Double
        var p99: Double
        var max: Double
    }

    static func measure(database: BenchmarkDatabase, events: Int, interval: Duration, logger: Logger) async throws -> Result {
        let followerClient = PostgresClient(configuration: .init(conninfo: "dbname=\(database.name)", maxConnections: 2), logger: logger)
        let follower = EventStore(client: followerClient, logger: logger)
        let sent = Mutex<[UUID: ContinuousClock.Instant]>([:])
        let latencies = Mutex<[Double]>([])
        let relay = Task { try await follower.run() }
        let head = try await database.store.headPosition()
        let following = Task {
            var received = 0
            for try await event in follower.follow(after: head, options: .init(pollInterval: .seconds(1))) {
                let now = ContinuousClock.now
                if let start = sent.withLock({ $0[event.eventId] }) {
                    latencies.withLock { $0.append(start.duration(to: now).milliseconds) }
                }
                received += 1
                if received == events { return }
            }
        }
        try await Task.sleep(for: .milliseconds(500))  // let the listener connect
        for index in 0..<events {
            let event = NewEvent(type: "LatencyProbe", data: #"{"n": \#(index)}"#)
            sent.withLock { $0[event.id] = .now }
            _ = try await database.store.append([event], to: try StreamName("latency-probe"))
            try await Task.sleep(for: interval)
        }
        try await following.value
        relay.cancel()
        await followerClient.close()
        let sorted = latencies.withLock { $0 }.sorted()
        return Result(samples: sorted.count, p50: nearestRank(sorted, 0.5), p99: nearestRank(sorted, 0.99), max: sorted.last ?? 0)
    }
}

/// The nearest-rank percentile of sorted samples (0 when there are none).
func nearestRank(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}
