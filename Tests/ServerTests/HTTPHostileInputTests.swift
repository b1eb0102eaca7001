import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// Malformed and hostile requests: each gets its status and stable code, and the log does
/// not change.
@Suite("HTTP API: malformed and hostile input")
struct HTTPHostileInputTests {
    static let valid = #"{"storyId": "PROJ-1", "title": "Sign in", "service": "checkout"}"#

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var path = "/v1/commands/create-story"
        var contentType: String? = "application/json"
        var body: Data
        var status: Int
        var code: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "not JSON", body: Data("{storyId: PROJ-1".utf8), status: 400, code: "invalid_body"),
        Case(name: "empty body", body: Data(), status: 400, code: "invalid_body"),
        Case(name: "a JSON array", body: Data("[1, 2]".utf8), status: 400, code: "invalid_body"),
        Case(name: "a JSON string", body: Data(#""create""#.utf8), status: 400, code: "invalid_body"),
        Case(name: "null", body: Data("null".utf8), status: 400, code: "invalid_body"),
        Case(name: "trailing garbage", body: Data((valid + " }").utf8), status: 400, code: "invalid_body"),
        Case(name: "invalid UTF-8", body: Data([0x7B, 0x22, 0x74, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]), status: 400, code: "invalid_body"),
        Case(name: "deep nesting", body: Data((String(repeating: #"{"a":"#, count: 5_000) + "1" + String(repeating: "}", count: 5_000)).utf8), status: 400, code: "invalid_body"),
        Case(name: "missing title", body: Data(#"{"storyId": "PROJ-1", "service": "checkout"}"#.utf8), status: 422, code: "missing_field"),
        Case(name: "missing service", body: Data(#"{"storyId": "PROJ-1", "title": "t"}"#.utf8), status: 422, code: "missing_field"),
        Case(name: "number for a string", body: Data(#"{"storyId": 1, "title": "t", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "object for a string", body: Data(#"{"storyId": {"a": 1}, "title": "t", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "string for a number", body: Data(#"{"storyId": "P-1", "title": "t", "priority": "high", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "empty title", body: Data(#"{"storyId": "P-1", "title": "", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "SQL in an id", body: Data(#"{"storyId": "1'; DROP TABLE events; --", "title": "t", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "SQL in the service", body: Data(#"{"storyId": "P-1", "title": "t", "service": "x' OR '1'='1"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "control characters in an id", body: Data(#"{"storyId": "P-1\n\u0000", "title": "t", "service": "checkout"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "a date that is not one", body: Data(#"{"storyId": "P-1", "title": "t", "service": "checkout", "occurredAt": "yesterday"}"#.utf8), status: 422, code: "invalid_field"),
        Case(name: "far future", body: Data(#"{"storyId": "P-1", "title": "t", "service": "checkout", "occurredAt": "2999-01-01T00:00:00Z"}"#.utf8), status: 422, code: "occurred_in_future"),
        Case(name: "unknown command", path: "/v1/commands/delete-everything", body: Data("{}".utf8), status: 404, code: "unknown_command"),
        Case(name: "path traversal as a command", path: "/v1/commands/..%2F..%2Fetc%2Fpasswd", body: Data("{}".utf8), status: 404, code: "unknown_command"),
        Case(name: "form content type", contentType: "application/x-www-form-urlencoded", body: Data(valid.utf8), status: 415, code: "unsupported_media_type"),
        Case(name: "text content type", contentType: "text/plain", body: Data(valid.utf8), status: 415, code: "unsupported_media_type"),
        Case(name: "two megabytes", body: Data((#"{"storyId": "P-1", "service": "checkout", "title": ""# + String(repeating: "x", count: 2 << 20) + "\"}").utf8), status: 413, code: "body_too_large"),
    ]

    @Test("each malformed or hostile request is refused with its status and code; nothing is written", arguments: cases)
    func hostile(_ testCase: Case) async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                var headers = ["Authorization": "Bearer \(try await server.token([.ingest]))"]
                if let type = testCase.contentType { headers["Content-Type"] = type }
                let response = try await server.http.request("POST", testCase.path, headers: headers, body: testCase.body)
                #expect(response.status == testCase.status, "\(testCase.name): \(response.text.prefix(300))")
                let error = try #require(try response.json()["error"] as? [String: Any], "\(testCase.name)")
                #expect(error["code"] as? String == testCase.code, "\(testCase.name)")
                #expect(error["message"] is String)
                let count = try await db.eventCount()
                #expect(count == 0, "\(testCase.name) wrote nothing")
            }
        }
    }

    @Test("SQL in free text is stored as text, not run")
    func sqlInFreeText() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let title = "Robert'); DROP TABLE events; --"
                let response = try await server.http.request(
                    "POST", "/v1/commands/create-story",
                    headers: ["Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json"],
                    body: Data(#"{"storyId": "P-1", "title": "Robert'); DROP TABLE events; --", "service": "checkout"}"#.utf8))
                #expect(response.status == 201)
                let stored = try await db.store.read(stream: try StreamName("story-P-1"))
                #expect(stored.count == 1)
                #expect(stored.first?.data.contains(title) == true)
            }
        }
    }

    @Test("an idempotency key over HTTP replays the first answer and refuses another body")
    func idempotencyHeader() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                var headers = [
                    "Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json",
                    "Idempotency-Key": "deploy-42",
                ]
                let first = try await server.http.request("POST", "/v1/commands/create-story", headers: headers, body: Data(Self.valid.utf8))
                let second = try await server.http.request("POST", "/v1/commands/create-story", headers: headers, body: Data(Self.valid.utf8))
                #expect(first.status == 201)
                #expect(second.status == 200)
                #expect(second.headers["idempotent-replayed"] == "true")
                #expect((try first.json()["events"] as? [[String: Any]])?.first?["eventId"] as? String
                    == (try second.json()["events"] as? [[String: Any]])?.first?["eventId"] as? String)
                let other = try await server.http.request(
                    "POST", "/v1/commands/create-story", headers: headers,
                    body: Data(#"{"storyId": "PROJ-2", "title": "Other", "service": "checkout"}"#.utf8))
                #expect(other.status == 409)
                #expect((try other.json()["error"] as? [String: Any])?["code"] as? String == "idempotency_key_reused")
                headers["Idempotency-Key"] = "has spaces"
                let bad = try await server.http.request("POST", "/v1/commands/create-story", headers: headers, body: Data(Self.valid.utf8))
                #expect(bad.status == 400)
                #expect(try await db.eventCount() == 1)
            }
        }
    }
}
