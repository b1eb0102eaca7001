import Access
import Foundation
import LooplineTestSupport
import Testing

/// The read models over HTTP and the socket, with the server's own projection workers.
@Suite("Read-model API")
struct ReadModelAPITests {
    /// Polls `GET /v1/projections` until every projection has applied the whole log.
    func caughtUp(_ server: TestServer, token: String) async throws {
        for _ in 0..<300 {
            let response = try await server.http.request("GET", "/v1/projections", headers: ["Authorization": "Bearer \(token)"])
            let projections = try #require(try response.json()["projections"] as? [[String: Any]])
            if projections.allSatisfy({ $0["lagEvents"] as? Int == 0 && $0["state"] as? String == "running" }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the projections did not catch up")
    }

    @Test("stage queries and projection status over HTTP, with scopes and parameter errors")
    func http() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, workers: true) { server in
                let ingest = try await server.token([.ingest])
                let reader = try await server.token([.read])
                for (id, priority) in [("R-1", 3), ("R-2", 1)] {
                    let created = try await server.http.request(
                        "POST", "/v1/commands/create-story",
                        headers: ["Authorization": "Bearer \(ingest)", "Content-Type": "application/json"],
                        body: Data(#"{"storyId": "\#(id)", "title": "t", "priority": \#(priority), "service": "web"}"#.utf8))
                    #expect(created.status == 201)
                }
                try await caughtUp(server, token: reader)
                let auth = ["Authorization": "Bearer \(reader)"]

                let backlog = try await server.http.request("GET", "/v1/stages/planning/backlog?service=web", headers: auth)
                #expect(backlog.status == 200)
                #expect(backlog.headers["content-type"]?.hasPrefix("application/json") == true)
                let ids = (try backlog.json()["stories"] as? [[String: Any]])?.compactMap { $0["storyId"] as? String }
                #expect(ids == ["R-2", "R-1"])

                let status = try await server.http.request("GET", "/v1/projections", headers: auth)
                let planning = try #require((try status.json()["projections"] as? [[String: Any]])?.first { $0["name"] as? String == "planning" })
                #expect(planning["position"] as? Int == 2)
                #expect(planning["ownerActive"] as? Bool == true)
                // What each model is changed by, so a page refreshes only what an event touches.
                #expect((planning["eventTypes"] as? [String])?.contains("StoryCreated") == true)
                #expect((planning["eventTypes"] as? [String])?.contains("BuildPassed") == false)

                let dora = try await server.http.request("GET", "/v1/dora?bucket=day&from=2026-01-01&to=2026-01-08", headers: auth)
                #expect(dora.status == 200)
                #expect((try dora.json()["series"] as? [Any])?.count == 7, "one bucket per day")
                // The models it read and how far each had applied the log (both stories: position 2).
                #expect(try dora.json()["readModels"] as? [String: Int] == ["integration": 2, "delivery": 2, "monitoring": 2])
                let stream = try await server.http.request("GET", "/v1/value-stream/stories/R-1", headers: auth)
                #expect((try stream.json()["story"] as? [String: Any])?["storyId"] as? String == "R-1")

                let refusals: [(String, [String: String], Int, String)] = [
                    ("/v1/stages/planning/backlog", [:], 401, "unauthenticated"),
                    ("/v1/stages/planning/backlog", ["Authorization": "Bearer \(ingest)"], 403, "forbidden"),
                    ("/v1/projections", ["Authorization": "Bearer \(ingest)"], 403, "forbidden"),
                    ("/v1/stages/planning/velocity", auth, 404, "unknown_query"),
                    ("/v1/stages/nowhere/backlog", auth, 404, "unknown_query"),
                    ("/v1/stages/planning/backlog?limit=0", auth, 400, "invalid_parameter"),
                    ("/v1/stages/planning/backlog?limit=1&limit=2", auth, 400, "invalid_parameter"),
                    ("/v1/stages/planning/backlog?colour=red", auth, 400, "invalid_parameter"),
                    ("/v1/value-stream/stories/NOPE-1", auth, 404, "story_not_found"),
                    ("/v1/dora?bucket=year", auth, 400, "invalid_parameter"),
                    ("/v1/dora", ["Authorization": "Bearer \(ingest)"], 403, "forbidden"),
                ]
                for (path, headers, expected, code) in refusals {
                    let response = try await server.http.request("GET", path, headers: headers)
                    #expect(response.status == expected, "\(path): \(response.text)")
                    #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == code, "\(path)")
                }
            }
        }
    }

    @Test("the socket's query and projections ops answer like HTTP")
    func socket() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, workers: true) { server in
                let socket = try LineSocket(port: server.socketPort)
                try socket.send(line: #"{"id": 1, "op": "auth", "token": "\#(try await server.token([.admin]))"}"#)
                _ = try await socket.readObject()
                try socket.send(line: #"{"id": 2, "op": "command", "name": "create-story", "data": {"storyId": "S-1", "title": "t", "service": "api"}}"#)
                #expect(try await socket.readObject()["ok"] as? Bool == true)
                try await caughtUp(server, token: try await server.token([.read]))

                try socket.send(line: #"{"id": 3, "op": "query", "stage": "planning", "query": "stories", "parameters": {"limit": 5, "service": "api"}}"#)
                let stories = try await socket.readObject()
                #expect(stories["id"] as? Int == 3)
                let result = try #require(stories["result"] as? [String: Any])
                #expect((result["stories"] as? [[String: Any]])?.map { $0["storyId"] as? String } == ["S-1"])

                try socket.send(line: #"{"id": 4, "op": "projections"}"#)
                let projections = try await socket.readObject()
                #expect(((projections["result"] as? [String: Any])?["projections"] as? [[String: Any]])?.isEmpty == false)

                try socket.send(line: #"{"id": 5, "op": "query", "stage": "planning", "query": "backlog", "parameters": {"limit": "many"}}"#)
                let refused = try await socket.readObject()
                #expect((refused["error"] as? [String: Any])?["code"] as? String == "invalid_parameter")
                try socket.send(line: #"{"id": 6, "op": "query", "query": "backlog"}"#)
                #expect((try await socket.readObject()["error"] as? [String: Any])?["field"] as? String == "stage")
            }
        }
    }
}
