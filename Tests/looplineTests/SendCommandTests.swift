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
                let url = "http://127.0.0.1:\(port)"
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
            } catch {
                server.signal(SIGTERM)
                _ = await server.wait()
                throw error
            }
            server.signal(SIGTERM)
            let stopped = await server.wait()
            #expect(stopped.status == 0, "serve exits cleanly on SIGTERM: \(stopped.stderr)")

            // Nothing listens on port 1: unreachable is exit 2, so a pipeline can retry later.
            let unreachable = try await Subprocess.run(
                CommandLineTests.binary, ["send", "create-story", "--data", "{}"],
                environment: ["LOOPLINE_URL": "http://127.0.0.1:1", "LOOPLINE_TOKEN": token])
            #expect(unreachable.status == 2, "\(unreachable.stderr)")
            #expect(unreachable.stderr.contains("server_unreachable"))
            #expect(!unreachable.stderr.contains(token), "the token is never printed")
        }
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
