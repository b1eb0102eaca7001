import EventStore
import Foundation
import Synchronization

/// Appends through the event store for a fixed time with N concurrent writers.
enum AppendBenchmark {
    /// Events appended per second.
    struct Measurement {
        /// Events appended per second.
        var rate: Double
        /// How many appends shared a transaction, on average.
        var appendsPerTransaction: Double
    }

    /// The store runs as a service meanwhile, as in `loopline serve` (coalesced notifications).
    static func run(store: EventStore, writers: Int, eventsPerAppend: Int, seconds: Int) async throws -> Measurement {
        let service = Task { try await store.run() }
        defer { service.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let appended = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var count = 0
                    var round = 0
                    while ContinuousClock.now < deadline {
                        let events = (0..<eventsPerAppend).map { _ in NewEvent(type: "BenchEvent", data: Payload.data) }
                        _ = try await store.append(events, to: try StreamName("bench-\(writer)x\(round)"))
                        count += eventsPerAppend
                        round += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = started.duration(to: .now).seconds
        let totals = store.appendStatistics
        return Measurement(
            rate: Double(appended) / elapsed, appendsPerTransaction: Double(totals.appends) / Double(max(totals.transactions, 1)))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
