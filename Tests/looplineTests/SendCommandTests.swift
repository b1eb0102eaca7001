import Foundation
import LooplineTestSupport
import Testing

/// `loopline token create`, `loopline serve` and `loopline send`, as a CI job would use them:
/// three processes, one database.
@Suite("loopline send")
struct SendCommandTests {
    let cli = CommandLineTests()

    @Test("send records a command, replays a keyed retry, and maps refusals to exit codes")
    func sendAgainstARunningServer() async throws {
        try await TestDatabase.with { db in
            let token = try await withServer(db) { url, token in
                func send(_ arguments: [String], token: String? = token, data: String) async throws -> Subprocess.Outcome {
                    try await Subprocess.run(
                        CommandLineTests.binary, ["send"] + arguments + ["--data", data],
                        environment: ["LOOPLINE_URL": url, "LOOPLINE_TOKEN": token])
                }
                let story = #"{"storyId": "PROJ-7", "title": "Audit log", "service": "web"}"#

                let first = try await send(["create-story", "--idempotency-key", "run-1"], data: story)
                #expect(first.status == 0, "\(first.stderr)")
                let result = try cli.object(first.stdout)
                #expect(result["stream"] as? String == "story-PROJ-7")
                #expect(result["replayed"] as? Bool == false)
                let events = try #require(result["events"] as? [[String: Any]])
                #expect(events.map { $0["type"] as? String } == ["StoryCreated"])

                let retry = try await send(["create-story", "--idempotency-key", "run-1"], data: story)
                #expect(retry.status == 0, "\(retry.stderr)")
                #expect(try cli.object(retry.stdout)["replayed"] as? Bool == true)

                // Refusals: the server's error on stderr, and an exit code a pipeline can branch on.
                let refusals: [(arguments: [String], token: String?, data: String, code: String, status: Int32)] = [
                    (["create-story"], token, story, "story_exists", 3),
                    (["create-story", "--idempotency-key", "run-1"], token, #"{"storyId": "PROJ-8", "title": "x", "service": "web"}"#, "idempotency_key_reused", 3),
                    (["start-story"], token, #"{"storyId": "PROJ-404", "service": "web"}"#, "story_not_found", 3),
                    (["rate-story"], token, "{}", "unknown_command", 1),
                    (["create-story"], token, "{not json", "invalid_body", 1),
                    (["create-story"], token, #"{"storyId": "PROJ-9", "service": "web"}"#, "missing_field", 1),
                    (["create-story"], "llt_not-a-real-token", story, "unauthenticated", 1),
                    (["create-story"], nil, story, "unauthenticated", 1),
                ]
                for refusal in refusals {
                    let outcome = try await send(refusal.arguments, token: refusal.token, data: refusal.data)
                    #expect(outcome.status == refusal.status, "\(refusal.arguments) \(refusal.data): \(outcome.stderr)")
                    let error = try #require(try cli.object(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines))["error"] as? [String: Any])
                    #expect(error["code"] as? String == refusal.code, "\(refusal.arguments): \(outcome.stderr)")
                }
                #expect(try await db.eventCount() == 1)
            }

            // Nothing listens on port 1: unreachable is exit 2, so a pipeline can retry later.
            let unreachable = try await Subprocess.run(
                CommandLineTests.binary, ["send", "create-story", "--data", "{}"],
                environment: ["LOOPLINE_URL": "http://127.0.0.1:1", "LOOPLINE_TOKEN": token])
            #expect(unreachable.status == 2, "\(unreachable.stderr)")
            #expect(unreachable.stderr.contains("server_unreachable"))
            #expect(!unreachable.stderr.contains(token), "the token is never printed")
        }
    }

    @Test("send --file sends a JSON Lines file in batches: one outcome line per command, in line order, keyed lines replayed on a rerun")
    func sendFile() async throws {
        try await TestDatabase.with { db in
            _ = try await withServer(db) { url, token in
                let story = #"{"storyId": "F-1", "title": "Import", "service": "web"}"#
                let start = #"{"storyId": "F-1", "service": "web"}"#
                var lines = [
                    #"{"name": "create-story", "data": \#(story), "idempotencyKey": "f-1"}"#,
                    #"{"name": "start-story", "data": \#(start), "idempotencyKey": "f-2"}"#,
                    "",
                    "not json",
                    #"{"data": {}}"#,
                    #"{"name": "start-story", "data": {"storyId": "F-404", "service": "web"}}"#,
                ]
                // More than one batch (--batch-size 4), each command on its own commit stream.
                lines += (1...9).map { #"{"name": "integrate-commit", "data": {"sha": "\#(String(format: "%07x", 0xf0000 + $0))", "service": "web"}, "idempotencyKey": "c-\#($0)"}"# }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("commands-\(UUID().uuidString).jsonl")
                try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                func sendFile() async throws -> Subprocess.Outcome {
                    try await Subprocess.run(
                        CommandLineTests.binary, ["send", "--file", file.path, "--batch-size", "4"],
                        environment: ["LOOPLINE_URL": url, "LOOPLINE_TOKEN": token])
                }

                let first = try await sendFile()
                // A malformed line and a refusal other than a conflict: exit 1.
                #expect(first.status == 1, "\(first.stderr)")
                let outcomes = try first.stdout.split(separator: "\n").map { try cli.object(String($0)) }
                #expect(outcomes.map { $0["line"] as? Int } == [1, 2, 4, 5, 6] + Array(7...15))
                #expect(outcomes.map { $0["status"] as? Int } == [201, 201, 400, 400, 409] + Array(repeating: 201, count: 9))
                #expect(first.stderr.contains("sent: 11 recorded, 0 replayed, 3 failed"), "\(first.stderr)")
                #expect(try await db.eventCount() == 11)

                let rerun = try await sendFile()
                let replayed = try rerun.stdout.split(separator: "\n").map { try cli.object(String($0)) }
                #expect(replayed.filter { $0["status"] as? Int == 200 }.count == 11, "\(rerun.stdout)")
                #expect(try await db.eventCount() == 11)

                let bad = try await Subprocess.run(
                    CommandLineTests.binary, ["send", "create-story", "--file", file.path],
                    environment: ["LOOPLINE_URL": url, "LOOPLINE_TOKEN": token])
                #expect(bad.status != 0 && bad.stderr.contains("not both"), "\(bad.stderr)")
            }
        }
    }

    /// Creates an ingest token and runs `loopline serve` on a free port around `body`, which gets
    /// the server's URL and the token; the server must exit 0 on SIGTERM. Returns the token.
    func withServer(_ db: TestDatabase, _ body: (_ url: String, _ token: String) async throws -> Void) async throws -> String {
        let created = try await cli.loopline(db, ["token", "create", "--name", "ci", "--scope", "ingest"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try #require(try cli.object(created.stdout)["token"] as? String)
        // Port 0: the kernel picks a free port and the server's log says which.
        let server = try Subprocess.start(
            CommandLineTests.binary,
            ["serve", "--http", "127.0.0.1:0", "--socket", "none", "--max-connections", "2",
             "--database-url", db.conninfo, "--schema-dir", TestEnvironment.schemaDirectory.path],
            environment: ["LOOPLINE_LOG_LEVEL": "info"])
        do {
            let port = try await Self.listeningPort(of: server)
            try await Self.waitForHealth(port: port)
            try await body("http://127.0.0.1:\(port)", token)
        } catch {
            server.signal(SIGTERM)
            _ = await server.wait()
            throw error
        }
        server.signal(SIGTERM)
        let stopped = await server.wait()
        #expect(stopped.status == 0, "serve exits cleanly on SIGTERM: \(stopped.stderr)")
        return token
    }

    /// The HTTP port the server reports in its log, waiting at most 30 s for it.
    static func listeningPort(of server: Subprocess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let match = server.currentErrors().firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/), let port = Int(match.1) {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SubprocessError(message: "the server did not report its port within 30 s: \(server.currentErrors())")
    }

    /// Polls `/health` until the server answers 200, for at most 30 s.
    static func waitForHealth(port: Int) async throws {
        let client = RawHTTPClient(port: port)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await client.request("GET", "/health"), response.status == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SubprocessError(message: "the server did not become healthy within 30 s")
    }
}
