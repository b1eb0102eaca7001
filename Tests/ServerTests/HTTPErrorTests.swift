import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// Every refusal has the shape {"error": {"code", "message", "field"?}} and the fitting status,
/// and writes nothing.
@Suite("HTTP API: errors, authentication and scopes")
struct HTTPErrorTests {
    static let story = #"{"storyId": "PROJ-1", "title": "Sign in with SSO", "service": "checkout"}"#

    func error(_ response: RawHTTPClient.Response) throws -> [String: Any] {
        try #require(try response.json()["error"] as? [String: Any])
    }

    @Test("the 401/403 matrix: no token, a bad token, and each scope against each route")
    func scopeMatrix() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let tokens: [String: String] = [
                    "ingest": try await server.token([.ingest]), "read": try await server.token([.read]),
                    "admin": try await server.token([.admin]), "both": try await server.token([.ingest, .read]),
                ]
                let routes: [(method: String, path: String, body: String?, scope: String)] = [
                    ("POST", "/v1/commands/create-story", Self.story, "ingest"),
                    ("GET", "/v1/events", nil, "read"),
                    ("GET", "/v1/streams/story-PROJ-1", nil, "read"),
                ]
                for route in routes {
                    let anonymous = try await server.http.request(route.method, route.path, body: route.body.map { Data($0.utf8) })
                    #expect(anonymous.status == 401, "\(route.path) without a token")
                    #expect(try error(anonymous)["code"] as? String == "unauthenticated")
                    #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                    let forged = try await server.http.request(
                        route.method, route.path, headers: ["Authorization": "Bearer llt_forged"], body: route.body.map { Data($0.utf8) })
                    #expect(forged.status == 401, "\(route.path) with a forged token")
                    for (scope, token) in tokens {
                        let allowed = scope == route.scope || scope == "admin" || scope == "both"
                        let response = try await server.http.request(
                            route.method, route.path,
                            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                            body: route.body.map { Data($0.utf8) })
                        if allowed {
                            #expect(response.status != 401 && response.status != 403, "\(scope) on \(route.path): \(response.status)")
                        } else {
                            #expect(response.status == 403, "\(scope) on \(route.path)")
                            #expect(try error(response)["code"] as? String == "forbidden")
                        }
                    }
                }
            }
        }
    }

    @Test("unknown routes, methods and streams are 404/405 with JSON")
    func notFound() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let read = ["Authorization": "Bearer \(try await server.token([.read]))"]
                let unknown = try await server.http.request("GET", "/v2/nothing")
                #expect(unknown.status == 404)
                #expect(try error(unknown)["code"] as? String == "not_found")
                let stream = try await server.http.request("GET", "/v1/streams/story-NOPE-1", headers: read)
                #expect(stream.status == 404)
                #expect(try error(stream)["code"] as? String == "stream_not_found")
                let badStream = try await server.http.request("GET", "/v1/streams/no%20category", headers: read)
                #expect(badStream.status == 400)
                #expect(try error(badStream)["code"] as? String == "invalid_stream")
            }
        }
    }

    @Test("oversize bodies are 413, wrong media types 415, both writing nothing")
    func sizeAndMediaType() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, maximumBodyBytes: 4096) { server in
                let ingest = try await server.token([.ingest])
                let huge = #"{"storyId": "PROJ-1", "title": "\#(String(repeating: "x", count: 10_000))", "service": "checkout"}"#
                let tooLarge = try await server.http.request(
                    "POST", "/v1/commands/create-story", headers: ["Authorization": "Bearer \(ingest)", "Content-Type": "application/json"],
                    body: Data(huge.utf8))
                #expect(tooLarge.status == 413)
                #expect(try error(tooLarge)["code"] as? String == "body_too_large")
                let form = try await server.http.request(
                    "POST", "/v1/commands/create-story",
                    headers: ["Authorization": "Bearer \(ingest)", "Content-Type": "application/x-www-form-urlencoded"],
                    body: Data(Self.story.utf8))
                #expect(form.status == 415)
                #expect(try error(form)["code"] as? String == "unsupported_media_type")
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("bad query parameters are 400 with the parameter named")
    func badParameters() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let read = ["Authorization": "Bearer \(try await server.token([.read]))"]
                for query in ["after=-1", "after=abc", "limit=0", "limit=100000", "category=9x", "type=not%20a%20type"] {
                    let response = try await server.http.request("GET", "/v1/events?\(query)", headers: read)
                    #expect(response.status == 400, "\(query)")
                    #expect(try error(response)["field"] != nil, "\(query)")
                }
            }
        }
    }

    @Test("health, ready and metrics answer without a token")
    func operations() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                #expect(try await server.http.request("GET", "/health").status == 200)
                let ready = try await server.http.request("GET", "/ready")
                #expect(ready.status == 200)
                #expect(try ready.json()["status"] as? String == "ready")
                _ = try await server.http.request("GET", "/v1/events")
                let ingest = ["Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json"]
                for id in ["M-1", "M-2", "M-1"] {
                    _ = try await server.http.request(
                        "POST", "/v1/commands/create-story", headers: ingest, body: Data(#"{"storyId": "\#(id)", "title": "t", "service": "web"}"#.utf8))
                }
                let metrics = try await server.http.request("GET", "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
                #expect(metrics.text.contains("loopline_http_requests_total{"))
                #expect(metrics.text.contains(#"status="401""#))
                #expect(metrics.text.contains("loopline_http_request_duration_seconds_bucket{"))
                #expect(metrics.text.contains("loopline_db_pool_connections{state=\"max\"}"))
                #expect(metrics.text.contains("loopline_appends_total"))
                #expect(metrics.text.contains(#"loopline_commands_total{command="create-story",outcome="ok"} 2"#), "\(metrics.text)")
                #expect(metrics.text.contains("# HELP loopline_commands_total Commands handled, by command and outcome."))
            }
        }
    }
}
