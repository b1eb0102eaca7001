import Access
import EventStore
import Foundation
import LooplineTestSupport
import Synchronization
import Testing

/// `GET /v1/events/stream`: the log as Server-Sent Events.
@Suite("Server-Sent Events: the live log")
struct EventStreamTests {
    static func append(_ db: TestDatabase, _ stream: String, count: Int = 1, type: String = "BuildPassed") async throws -> Int64 {
        let events = (0..<count).map { NewEvent(type: type, data: #"{"n": \#($0)}"#) }
        return try await db.store.append(events, to: try StreamName(stream)).events.last?.position ?? 0
    }

    @Test("a read token is needed; messages carry the position as id and the event as data; heartbeats when idle; after=head and type filter")
    func basics() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let sse = SSEClient(port: server.http.port)
                let refused = try await sse.stream("/v1/events/stream", timeout: 20) { _ in false }
                #expect(refused.status == 401)
                let auth = ["Authorization": "Bearer \(try await server.token([.read]))"]
                for index in 1...3 { _ = try await Self.append(db, "build-\(index)", type: index == 2 ? "BuildFailed" : "BuildPassed") }

                let seen = Mutex<[SSEClient.Message]>([])
                let outcome = try await sse.stream("/v1/events/stream?after=1", headers: auth, timeout: 30) { message in
                    // Stop at the first heartbeat after both events (a loaded machine may send one before).
                    seen.withLock { seen in
                        seen.append(message)
                        return !(message.comments.contains("heartbeat") && seen.filter { !$0.data.isEmpty }.count >= 2)
                    }
                }
                #expect(outcome.status == 200)
                #expect(outcome.headers["content-type"] == "text/event-stream; charset=utf-8")
                let messages = seen.withLock { $0 }
                let events = messages.filter { !$0.data.isEmpty }
                #expect(events.map(\.id) == ["2", "3"])
                let first = try #require(try JSONSerialization.jsonObject(with: Data(events[0].data.utf8)) as? [String: Any])
                #expect(first["position"] as? Int == 2 && first["type"] as? String == "BuildFailed" && first["stream"] as? String == "build-2")
                #expect(messages.last?.comments == ["heartbeat"], "an idle stream sends a heartbeat")

                // From the head: only what comes after; a type filter passes only its types.
                let live = Mutex<(started: Bool, ids: [String])>((false, []))
                async let tail = sse.stream("/v1/events/stream?after=head&type=BuildFailed", headers: auth, timeout: 30) { message in
                    live.withLock { state in
                        if message.comments.contains(where: { $0.hasPrefix("stream after") }) { state.started = true }
                        if let id = message.id, !message.data.isEmpty { state.ids.append(id) }
                        return state.ids.isEmpty
                    }
                }
                // Append only once the stream has taken its starting position.
                while !live.withLock({ $0.started }) { try await Task.sleep(for: .milliseconds(20)) }
                _ = try await Self.append(db, "build-4")
                let failed = try await Self.append(db, "build-5", type: "BuildFailed")
                _ = try await tail
                #expect(live.withLock { $0.ids } == ["\(failed)"])

                let bad = try await sse.stream("/v1/events/stream", headers: auth.merging(["Last-Event-ID": "soon"]) { $1 }, timeout: 20) { _ in false }
                #expect(bad.status == 400 && bad.body.contains("Last-Event-ID"), "\(bad.body)")
            }
        }
    }

    @Test("a client that drops and resumes with Last-Event-ID, while four writers append, sees every position once, in order")
    func resumeWithoutGapsOrDuplicates() async throws {
        try await TestDatabase.with(maxConnections: 12) { db in
            try await TestServer.with(db) { server in
                let sse = SSEClient(port: server.http.port)
                let auth = ["Authorization": "Bearer \(try await server.token([.read]))"]
                let perWriter = 300
                let writers = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<4 {
                            group.addTask {
                                for round in 0..<(perWriter / 3) { _ = try await Self.append(db, "build-w\(writer)-\(round % 7)", count: 3) }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                let received = Mutex<[Int64]>([])
                var connections = 0
                var lastId: String?
                // Drop the connection every 150 events and resume from the last id seen.
                while received.withLock({ $0.count }) < 4 * perWriter, connections < 40 {
                    connections += 1
                    let inThisConnection = Mutex(0)
                    let headers = lastId.map { auth.merging(["Last-Event-ID": $0]) { $1 } } ?? auth
                    _ = try await sse.stream("/v1/events/stream?after=0", headers: headers, timeout: 20) { message in
                        guard let id = message.id, let position = Int64(id), !message.data.isEmpty else { return true }
                        received.withLock { $0.append(position) }
                        let count = inThisConnection.withLock { count in
                            count += 1
                            return count
                        }
                        return count < 150 && received.withLock({ $0.count }) < 4 * perWriter
                    }
                    lastId = received.withLock { $0.last }.map(String.init)
                }
                try await writers.value
                let positions = received.withLock { $0 }
                let log = try await db.store.readAll(after: 0, limit: 10_000).map(\.position)
                #expect(connections >= 8, "the client reconnected (\(connections) connections)")
                #expect(positions == log, "every committed position once, in log order: \(positions.count) of \(log.count)")
            }
        }
    }
}
