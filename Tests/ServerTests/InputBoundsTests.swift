import Access
import EventStore
import Foundation
import LooplineTestSupport
import Testing

/// Bounded lists and numbers that must come back as themselves: refused with `invalid_field`
/// naming the field, over HTTP and the socket alike, and nothing written.
@Suite("Input bounds: list limits and numbers a double cannot hold")
struct InputBoundsTests {
    typealias JSON = [String: Any]

    static func ids(_ count: Int, _ prefix: String = "S") -> String {
        "[" + (1...count).map { "\"\(prefix)-\($0)\"" }.joined(separator: ",") + "]"
    }

    /// Commands that must be refused: name, data, and the field the error names.
    static let refused: [(command: String, data: String, field: String)] = [
        ("integrate-commit", #"{"sha": "a1b2c3d", "service": "checkout", "storyIds": \#(ids(101))}"#, "storyIds"),
        ("integrate-commit", #"{"sha": "a1b2c3d", "service": "checkout", "storyIds": \#(ids(50_000))}"#, "storyIds"),
        ("publish-release", #"{"releaseId": "r1", "version": "1.0", "service": "checkout", "deploymentIds": \#(ids(101, "dep"))}"#, "deploymentIds"),
        ("complete-test-run", #"{"runId": "t1", "suite": "unit", "sha": "a1b2c3d", "passed": 0, "failed": 2000, "skipped": 0, "service": "checkout", "failingTests": \#(ids(1001, "test"))}"#, "failingTests"),
        ("complete-test-run", #"{"runId": "t1", "suite": "unit", "sha": "a1b2c3d", "passed": 0, "failed": 2, "skipped": 0, "service": "checkout", "failingTests": ["ok", "\#(String(repeating: "x", count: 1001))"]}"#, "failingTests[1]"),
        ("pass-build", #"{"buildId": "b1", "sha": "a1b2c3d", "service": "checkout", "durationSeconds": 1e-400}"#, "durationSeconds"),
        ("pass-build", #"{"buildId": "b1", "sha": "a1b2c3d", "service": "checkout", "durationSeconds": 1e400}"#, "durationSeconds"),
        ("breach-metric", #"{"metric": "latency_p99", "value": -2.5e-999, "threshold": 1, "service": "checkout"}"#, "value"),
    ]

    @Test("a list over its limit, or a number that underflows or overflows, is refused over HTTP with its field")
    func refusedOverHTTP() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let headers = ["Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json"]
                for (command, data, field) in Self.refused {
                    let response = try await server.http.request("POST", "/v1/commands/\(command)", headers: headers, body: Data(data.utf8))
                    #expect(response.status == 422, "\(command) \(field): \(response.text.prefix(300))")
                    let error = try #require(try response.json()["error"] as? JSON)
                    #expect(error["code"] as? String == "invalid_field", "\(command) \(field)")
                    #expect(error["field"] as? String == field, "\(command): \(error["message"] ?? "")")
                }
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("the same commands over the socket get the same error, and nothing is written")
    func refusedOverTheSocket() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let socket = try LineSocket(port: server.socketPort)
                try socket.send(line: #"{"id": "a", "op": "auth", "token": "\#(try await server.token([.ingest]))"}"#)
                #expect(try await socket.readObject()["ok"] as? Bool == true)
                for (index, (command, data, field)) in Self.refused.enumerated() {
                    try socket.send(line: #"{"id": \#(index), "op": "command", "name": "\#(command)", "data": \#(data)}"#)
                    let reply = try await socket.readObject()
                    let error = try #require(reply["error"] as? JSON, "\(command) \(field)")
                    #expect(reply["id"] as? Int == index)
                    #expect(error["code"] as? String == "invalid_field", "\(command) \(field)")
                    #expect(error["field"] as? String == field, "\(command): \(error["message"] ?? "")")
                }
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("lists at their limit are accepted; a commit links at most 100 stories, the given ones first")
    func atTheLimit() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let headers = ["Authorization": "Bearer \(try await server.token([.ingest, .read]))", "Content-Type": "application/json"]
                func send(_ command: String, _ data: String) async throws -> JSON {
                    let response = try await server.http.request("POST", "/v1/commands/\(command)", headers: headers, body: Data(data.utf8))
                    #expect(response.status == 201, "\(command): \(response.text.prefix(300))")
                    return try response.json()
                }
                _ = try await send("integrate-commit", #"{"sha": "a1b2c3d", "service": "checkout", "storyIds": \#(Self.ids(100))}"#)
                _ = try await send("pass-build", #"{"buildId": "b1", "sha": "a1b2c3d", "service": "checkout", "durationSeconds": 5e-324}"#)
                // Two given stories and a message mentioning 150 more (and one of the given).
                let message = (["S-1"] + (1...150).map { String(format: "MSG-%03d", $0) }).joined(separator: " ")
                _ = try await send(
                    "integrate-commit", #"{"sha": "b2c3d4e", "service": "checkout", "storyIds": ["S-1", "ZZZ-9"], "message": "\#(message)"}"#)
                let stream = try await server.http.request("GET", "/v1/streams/commit-b2c3d4e", headers: headers)
                let event = try #require((try stream.json()["events"] as? [JSON])?.first, "\(stream.text.prefix(300))")
                let linked = try #require((event["data"] as? JSON)?["storyIds"] as? [String])
                #expect(linked.count == 100)
                #expect(linked.contains("S-1") && linked.contains("ZZZ-9"), "the given stories are always linked")
                #expect(linked.filter { $0.hasPrefix("MSG-") } == (1...98).map { String(format: "MSG-%03d", $0) })
            }
        }
    }
}
