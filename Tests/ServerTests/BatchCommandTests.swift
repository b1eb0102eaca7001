import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// `POST /v1/commands` and the socket's `commands`: many commands in one request, each with its
/// own outcome, in order, as if each had been sent alone.
@Suite("Batched commands")
struct BatchCommandTests {
    static func story(_ id: String, title: String = "Audit log") -> String {
        #"{"storyId": "\#(id)", "title": "\#(title)", "service": "web"}"#
    }

    static func element(_ name: String, _ data: String, key: String? = nil) -> String {
        #"{"name": "\#(name)", "data": \#(data)"# + (key.map { #", "idempotencyKey": "\#($0)""# } ?? "") + "}"
    }

    func post(_ server: TestServer, _ body: String, token: String, type: String = "application/json") async throws
        -> RawHTTPClient.Response
    {
        try await server.http.request(
            "POST", "/v1/commands", headers: ["Authorization": "Bearer \(token)", "Content-Type": type], body: Data(body.utf8))
    }

    func results(_ response: RawHTTPClient.Response) throws -> [[String: Any]] {
        try #require(try response.json()["results"] as? [[String: Any]])
    }

    func code(_ result: [String: Any]) -> String? { (result["error"] as? [String: Any])?["code"] as? String }

    @Test("each command gets its own outcome in order; one stream's commands run in batch order; a refusal stops only itself")
    func outcomesInOrder() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let token = try await server.token([.ingest])
                // Story B-1 is created, started and completed in the same batch: only in this
                // order do all three pass, so the order is what the test checks.
                let start = #"{"storyId": "B-1", "service": "web"}"#
                let elements = [
                    Self.element("create-story", Self.story("B-1")),
                    Self.element("start-story", start),
                    Self.element("create-story", Self.story("B-2")),
                    Self.element("create-story", Self.story("B-1")),
                    Self.element("create-story", #"{"storyId": "B-3", "service": "web"}"#),
                    Self.element("rate-story", "{}"),
                    Self.element("complete-story", start),
                    Self.element("start-story", #"{"storyId": "B-404", "service": "web"}"#),
                    Self.element("create-story", #"{"storyId": "B-4", "title": "x", "service": "Web Shop"}"#),
                ]
                let response = try await post(server, "[" + elements.joined(separator: ",") + "]", token: token)
                #expect(response.status == 200)
                let results = try results(response)
                #expect(results.map { $0["status"] as? Int } == [201, 201, 201, 409, 422, 404, 201, 409, 422])
                #expect(results.map { $0["ok"] as? Bool } == [true, true, true, false, false, false, true, false, false])
                #expect(results.map(code) == [nil, nil, nil, "story_exists", "missing_field", "unknown_command", nil, "story_not_found", "invalid_field"])
                let answer = try response.json()
                #expect(answer["recorded"] as? Int == 4)
                #expect(answer["failed"] as? Int == 5)

                let story = try await db.store.read(stream: try StreamName("story-B-1"), afterVersion: 0, limit: 10)
                #expect(story.map(\.type) == ["StoryCreated", "StoryStarted", "StoryCompleted"])
                #expect(try await db.eventCount() == 4)
                // The answers name the events written, as the single-command route does.
                let completed = try #require((results[6]["result"] as? [String: Any])?["events"] as? [[String: Any]])
                #expect(completed.first?["position"] as? Int == Int(story[2].position))
            }
        }
    }

    @Test("idempotency keys per command: a batch sent again replays every keyed command and writes nothing")
    func idempotentRetry() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let token = try await server.token([.ingest])
                let body =
                    "["
                    + (1...40).map { Self.element("create-story", Self.story("K-\($0)"), key: "import-\($0)") }.joined(separator: ",")
                    // The same key twice in one batch is recorded once, as a retry would be.
                    + "," + Self.element("create-story", Self.story("K-1"), key: "import-1") + "]"
                let first = try results(try await post(server, body, token: token))
                #expect(first.prefix(40).allSatisfy { $0["status"] as? Int == 201 })
                #expect(first[40]["status"] as? Int == 200)
                #expect((first[40]["result"] as? [String: Any])?["replayed"] as? Bool == true)
                #expect(try await db.eventCount() == 40)

                let again = try results(try await post(server, body, token: token))
                #expect(again.allSatisfy { $0["status"] as? Int == 200 }, "\(again.prefix(2))")
                #expect(
                    again.map { (($0["result"] as? [String: Any])?["events"] as? [[String: Any]])?.first?["eventId"] as? String }
                        == first.map { (($0["result"] as? [String: Any])?["events"] as? [[String: Any]])?.first?["eventId"] as? String })
                #expect(try await db.eventCount() == 40)

                // A key reused with another body is refused, in the batch as alone.
                let reused = try results(
                    try await post(server, "[" + Self.element("create-story", Self.story("K-99"), key: "import-2") + "]", token: token))
                #expect(code(reused[0]) == "idempotency_key_reused")
                // The single-command route sees the batch's keys.
                let alone = try await server.http.request(
                    "POST", "/v1/commands/create-story",
                    headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "import-3"], body: Data(Self.story("K-3").utf8))
                #expect(alone.status == 200)
                #expect(alone.headers["idempotent-replayed"] == "true")
                #expect(try await db.eventCount() == 40)
            }
        }
    }

    @Test("a batch that cannot be read as a whole is refused and writes nothing")
    func refusedWhole() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let token = try await server.token([.ingest])
                let one = Self.element("create-story", Self.story("W-1"))
                let tooMany = "[" + Array(repeating: one, count: 1_001).joined(separator: ",") + "]"
                let cases: [(body: String, type: String, status: Int, code: String)] = [
                    (one, "application/json", 400, "invalid_body"),
                    // An element of the wrong shape refuses the whole batch, the good ones too.
                    ("[" + one + #", {"data": {}}]"#, "application/json", 400, "invalid_body"),
                    ("[" + one + ", [1]]", "application/json", 400, "invalid_body"),
                    ("[" + one + #", {"name": "create-story", "data": [1]}]"#, "application/json", 400, "invalid_body"),
                    ("[" + one + #", {"name": "create-story", "data": {}, "idempotencyKey": "has space"}]"#, "application/json", 400, "invalid_idempotency_key"),
                    ("[]", "application/json", 400, "invalid_body"),
                    ("[" + one + ",", "application/json", 400, "invalid_body"),
                    (tooMany, "application/json", 400, "batch_too_large"),
                    ("[" + one + "]", "text/plain", 415, "unsupported_media_type"),
                ]
                for refusal in cases {
                    let response = try await post(server, refusal.body, token: token, type: refusal.type)
                    #expect(response.status == refusal.status, "\(refusal.body.prefix(40))")
                    #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == refusal.code)
                }
                let reader = try await server.token([.read])
                #expect(try await post(server, "[" + one + "]", token: reader).status == 403)
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("a batch body may hold 8 times a command's limit; a larger one is 413")
    func bodyLimit() async throws {
        try await TestDatabase.with { db in
            // 32 KiB here.
            try await TestServer.with(db, maximumBodyBytes: 4096) { server in
                let token = try await server.token([.ingest])
                let fits = "[" + Array(repeating: Self.element("create-story", Self.story("W-3", title: String(repeating: "x", count: 400))), count: 60).joined(separator: ",") + "]"
                #expect(try await post(server, fits, token: token).status == 200)
                let huge = "[" + Self.element("create-story", Self.story("W-2", title: String(repeating: "x", count: 40_000))) + "]"
                let response = try await post(server, huge, token: token)
                #expect(response.status == 413)
                #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == "body_too_large")
                // The batch that fitted: one story, its repeats refused as existing.
                #expect(try await db.eventCount() == 1)
            }
        }
    }

    @Test("the socket's commands op answers a batch as the HTTP route does")
    func overTheSocket() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let socket = try LineSocket(port: server.socketPort)
                try socket.send(line: #"{"id": "a", "op": "auth", "token": "\#(try await server.token([.ingest]))"}"#)
                #expect(try await socket.readObject()["ok"] as? Bool == true)
                let commands = (1...300).map { Self.element("integrate-commit", #"{"sha": "\#(String(format: "%07x", 0xabc0000 + $0))", "service": "web", "branch": "main"}"#) }
                try socket.send(line: #"{"id": 7, "op": "commands", "commands": [\#(commands.joined(separator: ","))]}"#)
                let reply = try await socket.readObject()
                #expect(reply["id"] as? Int == 7)
                let result = try #require(reply["result"] as? [String: Any])
                #expect(result["recorded"] as? Int == 300, "\(String(describing: (result["results"] as? [[String: Any]])?.first))")
                let positions = (result["results"] as? [[String: Any]] ?? []).compactMap {
                    (($0["result"] as? [String: Any])?["events"] as? [[String: Any]])?.first?["position"] as? Int
                }
                #expect(Set(positions).count == 300)
                try socket.send(line: #"{"id": 8, "op": "commands"}"#)
                #expect(((try await socket.readObject())["error"] as? [String: Any])?["code"] as? String == "missing_field")
                #expect(try await db.eventCount() == 300)
            }
        }
    }
}
