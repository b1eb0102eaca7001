import Foundation
import LooplineTestSupport
import Synchronization
import Testing

/// The live feed from a real `loopline serve` process to a client that reads slowly: the
/// server's memory is measured from outside.
@Suite("Event stream memory")
struct EventStreamMemoryTests {
    @Test("streaming 150 MB of events as SSE to a slow reader keeps the server's memory flat")
    func flatMemory() async throws {
        try await TestDatabase.with { db in try await ExportMemoryTests.withBulkLog(db) { server, port, token in
            let auth = ["Authorization": "Bearer \(token)"]
            let sse = SSEClient(port: port)

            // A short stream warms the server up (pools, allocator arenas) before the baseline.
            _ = try await sse.stream("/v1/events/stream?after=149000", headers: auth, timeout: 30) { $0.id != "149500" }
            let baseline = ExportMemoryTests.residentBytes(server.pid)
            #expect(baseline > 0, "the server's memory can be read")

            let state = Mutex((count: 0, bytes: 0, resident: baseline, last: Int64(0), ordered: true))
            _ = try await sse.stream("/v1/events/stream?after=0", headers: auth, timeout: 120) { message in
                guard let id = message.id.flatMap(Int64.init), !message.data.isEmpty else { return true }
                let (before, after, count) = state.withLock { state in
                    defer {
                        state.bytes += message.data.utf8.count
                        state.count += 1
                        state.ordered = state.ordered && id > state.last
                        state.last = id
                    }
                    return (state.bytes, state.bytes + message.data.utf8.count, state.count + 1)
                }
                // After the first 8 MB the reader stops for two seconds: long enough for a server
                // without back-pressure to read and buffer the whole log.
                if before < 8 << 20 && after >= 8 << 20 { Thread.sleep(forTimeInterval: 2) }
                if before >> 22 != after >> 22 {
                    let resident = ExportMemoryTests.residentBytes(server.pid)
                    state.withLock { $0.resident = max($0.resident, resident) }
                }
                return count < 150_000
            }
            let final = state.withLock { $0 }
            #expect(final.count == 150_000 && final.ordered, "every event arrived, in order (\(final.count))")
            let grown = final.resident - baseline
            #expect(grown < 48 << 20, "the server grew by \(grown >> 20) MiB while streaming \(final.bytes >> 20) MiB")
        } }
    }
}
