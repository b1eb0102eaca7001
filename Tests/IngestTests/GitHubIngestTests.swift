import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Server
import Testing

@testable import Ingest

@Suite("GitHub webhooks against the real server and PostgreSQL")
struct GitHubIngestTests {
    static func deliveryCount(_ db: TestDatabase) async throws -> Int {
        try await db.client.withConnection { try $0.query("SELECT count(*) FROM ingest_deliveries")[0].decode(0, as: Int.self) }
    }

    @Test("a missing, wrong or SHA-1-only signature is 401, an unknown source 404; none writes anything")
    func refusedSignatures() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server)
                let body = try Fixture.data("github/push-main.json")
                let sha1 = try await hook.send(body: body, event: "push", signature: .some(nil), extraHeaders: ["X-Hub-Signature": "sha1=0123"])
                let missing = try await hook.send(body: body, event: "push", signature: .some(nil))
                let wrong = try await hook.send(body: body, event: "push", signature: "sha256=" + String(repeating: "ab", count: 32))
                let otherSecret = try await hook.send(
                    body: body, event: "push", signature: GitHubSignature.sign(body, secret: "lls_not-the-secret"))
                for response in [sha1, missing, wrong, otherSecret] {
                    #expect(response.status == 401, "\(response.text)")
                    #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == "unauthenticated")
                }
                #expect(sha1.text.contains("SHA-1"))
                let unknown = try await GitHubWebhook(server: server, source: "nobody", secret: hook.secret).send(body: body, event: "push")
                #expect(unknown.status == 404)
                #expect(try await db.eventCount() == 0)
                #expect(try await Self.deliveryCount(db) == 0)
            }
        }
    }

    @Test("a push is recorded; its redelivery gets the same answer and writes nothing")
    func redelivery() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server, settings: SourceSettings(team: "payments"))
                let first = try await hook.send("push-main", event: "push", delivery: "9a1b2c3d-0000-4000-8000-000000000001")
                #expect(first.status == 202, "\(first.text)")
                let answer = try first.json()
                #expect(answer["disposition"] as? String == "recorded")
                let events = try #require(answer["events"] as? [[String: Any]])
                #expect(events.map { $0["type"] as? String } == ["CommitIntegrated", "CommitIntegrated"])
                #expect(events.map { $0["stream"] as? String } == [
                    "commit-1f3c0a9e2b4d6f8a0c2e4b6d8f0a1c3e5b7d9f10", "commit-2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92",
                ])
                let again = try await hook.send("push-main", event: "push", delivery: "9a1b2c3d-0000-4000-8000-000000000001")
                #expect(again.status == 202)
                let replayed = try again.json()
                #expect(replayed["replayed"] as? Bool == true)
                #expect(replayed["delivery"] as? String == answer["delivery"] as? String)
                #expect(NSArray(array: replayed["events"] as? [Any] ?? []).isEqual(to: events))
                #expect(try await db.eventCount() == 2)
                let metrics = try await server.http.request("GET", "/metrics").text
                #expect(metrics.contains(#"loopline_ingest_deliveries_total{kind="github",disposition="recorded"}"#), "\(metrics.prefix(3000))")
                #expect(metrics.contains("loopline_ingest_duration_seconds_count"))
                let recorded = try await db.store.read(stream: .init("commit-1f3c0a9e2b4d6f8a0c2e4b6d8f0a1c3e5b7d9f10"))
                #expect(recorded.first?.data.contains(#""storyIds": ["PROJ-101", "acme:checkout-api:42"]"#) == true, "\(recorded)")
                #expect(recorded.first?.metadata.contains(#""token": "source:acme""#) == true, "\(recorded)")
            }
        }
    }

    @Test("20 identical deliveries at once write one set of events and get one answer")
    func concurrentDeliveries() async throws {
        try await TestDatabase.with(maxConnections: 20) { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server)
                let answers = try await withThrowingTaskGroup(of: RawHTTPClient.Response.self) { group in
                    for _ in 0..<20 { group.addTask { try await hook.send("push-main", event: "push", delivery: "race-1") } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.allSatisfy { $0.status == 202 }, "\(answers.map(\.text))")
                let eventIds = try answers.map { try ($0.json()["events"] as? [[String: Any]])?.compactMap { $0["eventId"] as? String } ?? [] }
                #expect(Set(eventIds).count == 1)
                #expect(eventIds.first?.count == 2)
                #expect(try await db.eventCount() == 2)
                #expect(try await Self.deliveryCount(db) == 1)
            }
        }
    }

    @Test("a push to a feature branch is ignored with its reason; malformed JSON is 400")
    func ignoredAndMalformed() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server)
                let feature = try await hook.send("push-feature-branch", event: "push")
                #expect(feature.status == 202)
                #expect(try feature.json()["disposition"] as? String == "ignored")
                #expect(try feature.json()["reason"] as? String == "a push to branch feature/PROJ-102-coupon-ui, not to the default branch main")
                let ping = try await hook.send("ping", event: "ping")
                #expect(try ping.json()["disposition"] as? String == "ignored")
                let malformed = try await hook.send(body: Data("{\"ref\": ".utf8), event: "push")
                #expect(malformed.status == 400)
                #expect((try malformed.json()["error"] as? [String: Any])?["code"] as? String == "invalid_body")
                #expect(try await db.eventCount() == 0)
            }
        }
    }

    @Test("an unmapped repository is dead-lettered with its body and without secrets; after --map, a retry records once")
    func deadLetterThenRetry() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server, settings: SourceSettings(serviceFrom: .map))
                let response = try await hook.send("push-main", event: "push")
                #expect(try response.json()["disposition"] as? String == "dead-lettered")
                #expect((try response.json()["reason"] as? String)?.contains("--map acme/checkout-api=service") == true)
                #expect(try await db.eventCount() == 0)
                let pipeline = server.server.ingest
                let dead = try await pipeline.deliveries.list(disposition: .deadLettered)
                let letter = try #require(dead.first)
                #expect(dead.count == 1)
                #expect(letter.body?.contains("\"refs/heads/main\"") == true)
                #expect(letter.headers["x-github-event"] == "push")
                #expect(letter.headers.keys.allSatisfy { !$0.contains("signature") })
                #expect(try await pipeline.deliveries.deadLetterCount() == 1)

                var settings = try await pipeline.sources.show("acme").settings
                settings.repositories["acme/checkout-api"] = .init(service: "checkout", team: "payments")
                _ = try await pipeline.sources.update("acme", settings: settings)
                let retried = try await pipeline.retry(try #require(UUID(uuidString: letter.id)))
                #expect(retried.disposition == .recorded)
                #expect(retried.events.count == 2)
                let again = try await pipeline.retry(try #require(UUID(uuidString: letter.id)))
                #expect(again.replayed)
                #expect(again.events == retried.events)
                #expect(try await db.eventCount() == 2)
                #expect(try await pipeline.deliveries.deadLetterCount() == 0)
            }
        }
    }

    @Test("sources over HTTP: admin only, the secret shown once, names unique, a rotated secret replaces the old at once")
    func sourcesOverHTTP() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let admin = ["Authorization": "Bearer \(try await server.token([.admin]))", "Content-Type": "application/json"]
                let body = Data(#"{"name": "acme", "kind": "github", "team": "payments", "map": {"Acme/Checkout-API": "checkout:web"}}"#.utf8)
                let reader = try await server.http.request(
                    "POST", "/v1/sources", headers: ["Authorization": "Bearer \(try await server.token([.read]))"], body: body)
                #expect(reader.status == 403)
                let created = try await server.http.request("POST", "/v1/sources", headers: admin, body: body)
                #expect(created.status == 201, "\(created.text)")
                let secret = try #require(try created.json()["secret"] as? String)
                #expect(secret.hasPrefix("lls_"))
                #expect(try created.json()["ingestPath"] as? String == "/v1/ingest/github/acme")
                let again = try await server.http.request("POST", "/v1/sources", headers: admin, body: body)
                #expect(again.status == 409)
                let listed = try await server.http.request("GET", "/v1/sources", headers: admin)
                #expect(!listed.text.contains(secret) && !listed.text.contains("lls_"))
                #expect(listed.text.contains(#""acme/checkout-api":{"service":"checkout","team":"web"}"#), "\(listed.text)")
                let invalid = try await server.http.request(
                    "POST", "/v1/sources", headers: admin, body: Data(#"{"name": "Bad Name", "kind": "github"}"#.utf8))
                #expect(invalid.status == 422)
                let nul = try await server.http.request(
                    "POST", "/v1/sources", headers: admin, body: Data(#"{"name": "nul", "kind": "github", "productionEnvironments": ["prod\u0000"]}"#.utf8))
                #expect(nul.status == 422, "text jsonb cannot store is refused, not a 500: \(nul.text)")

                let hook = GitHubWebhook(server: server, source: "acme", secret: secret)
                #expect(try await hook.send("ping", event: "ping").status == 202)
                let rotated = try await server.http.request("POST", "/v1/sources/acme/rotate-secret", headers: admin)
                let newSecret = try #require(try rotated.json()["secret"] as? String)
                #expect(try await hook.send("ping", event: "ping").status == 401)
                #expect(try await GitHubWebhook(server: server, source: "acme", secret: newSecret).send("ping", event: "ping").status == 202)
                #expect(try await server.http.request("DELETE", "/v1/sources/acme", headers: admin).status == 200)
                #expect(try await GitHubWebhook(server: server, source: "acme", secret: newSecret).send("ping", event: "ping").status == 404)
            }
        }
    }

    @Test("a status before its deployment still folds: the late start writes nothing")
    func statusBeforeDeployment() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let hook = try await GitHubWebhook.source(server)
                let success = try await hook.send("deployment_status-success", event: "deployment_status")
                #expect(try success.json()["disposition"] as? String == "recorded", "\(success.text)")
                let late = try await hook.send("deployment-created", event: "deployment")
                #expect(try late.json()["disposition"] as? String == "recorded", "\(late.text)")
                #expect((try late.json()["events"] as? [Any])?.isEmpty == true)
                let events = try await db.store.read(stream: .init("deployment-gh:deployment.1488321"))
                #expect(events.map(\.type) == ["DeploymentSucceeded"])
            }
        }
    }
}
