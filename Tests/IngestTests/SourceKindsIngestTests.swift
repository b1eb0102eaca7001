import EventStore
import Foundation
import LooplineTestSupport
import Server
import Testing

@testable import Ingest

/// GitLab, Jira and feedback sources against the real server and PostgreSQL: each source's
/// authentication refuses tampering and writes nothing, a redelivery records nothing new, and a
/// dead letter recovers by retry once the source's settings make it valid.
@Suite("GitLab, Jira and feedback webhooks against the real server and PostgreSQL")
struct SourceKindsIngestTests {
    static func post(
        _ server: TestServer, _ path: String, _ body: Data, headers: [String: String], contentType: String = "application/json"
    ) async throws -> RawHTTPClient.Response {
        try await server.http.request("POST", path, headers: headers.merging(["Content-Type": contentType]) { $1 }, body: body)
    }

    static func disposition(_ response: RawHTTPClient.Response) throws -> String? {
        try response.json()["disposition"] as? String
    }

    @Test("GitLab: a missing or wrong X-Gitlab-Token is 401; Idempotency-Key, else X-Gitlab-Event-UUID, dedupes; retry after --map")
    func gitlab() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let pipeline = server.server.ingest
                let secret = try await pipeline.sources.create(name: "gl", kind: .gitlab, settings: SourceSettings(serviceFrom: .map)).secret
                let body = try Fixture.data("gitlab/push-main.json")
                func send(token: String? = secret, _ extra: [String: String] = [:]) async throws -> RawHTTPClient.Response {
                    var headers = ["X-Gitlab-Event": "Push Hook"].merging(extra) { $1 }
                    if let token { headers["X-Gitlab-Token"] = token }
                    return try await Self.post(server, "/v1/ingest/gitlab/gl", body, headers: headers)
                }
                for refused in [try await send(token: nil), try await send(token: secret + "x")] {
                    #expect(refused.status == 401, "\(refused.text)")
                }
                #expect(try await db.eventCount() == 0)

                let first = try await send(["Idempotency-Key": "gl-delivery-1", "X-Gitlab-Event-UUID": "uuid-1"])
                #expect(try Self.disposition(first) == "dead-lettered", "\(first.text)")
                #expect((try first.json()["reason"] as? String)?.contains("--map acme/web=service") == true)
                let letter = try #require(try await pipeline.deliveries.list(disposition: .deadLettered).first)
                #expect(letter.headers["x-gitlab-token"] == nil && letter.headers["x-gitlab-event"] == "Push Hook")

                var settings = try await pipeline.sources.show("gl").settings
                settings.repositories["acme/web"] = .init(service: "web", team: "frontend")
                _ = try await pipeline.sources.update("gl", settings: settings)
                let retried = try await pipeline.retry(try #require(UUID(uuidString: letter.id)))
                #expect(retried.disposition == .recorded && retried.events.count == 2)

                let resent = try await send(["Idempotency-Key": "gl-delivery-1", "X-Gitlab-Event-UUID": "uuid-2"])
                #expect(try resent.json()["replayed"] as? Bool == true, "the same Idempotency-Key is the same delivery")
                let byUUID = try await send(["X-Gitlab-Event-UUID": "uuid-3"])
                #expect(try Self.disposition(byUUID) == "recorded", "a new delivery of the same commits")
                #expect(try byUUID.json()["events"] as? [Any] == nil || (try byUUID.json()["events"] as? [Any])?.isEmpty == true)
                #expect(try await send(["X-Gitlab-Event-UUID": "uuid-3"]).json()["replayed"] as? Bool == true)
                #expect(try await db.eventCount() == 2)
            }
        }
    }

    @Test("Jira: X-Hub-Signature over the raw body or the secret query parameter; a tampered body is 401; a retry dedupes")
    func jira() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let secret = try await server.server.ingest.sources.create(
                    name: "jira", kind: .jira, settings: SourceSettings(repositories: ["proj": .init(service: "web")])
                ).secret
                let created = try Fixture.data("jira/issue_created.json")
                let signature = SharedSecret.sign(created, secret: secret)
                var tampered = created
                tampered[tampered.index(tampered.startIndex, offsetBy: 20)] ^= 0x01
                let refused = [
                    try await Self.post(server, "/v1/ingest/jira/jira", tampered, headers: ["X-Hub-Signature": signature]),
                    try await Self.post(server, "/v1/ingest/jira/jira", created, headers: [:]),
                    try await Self.post(server, "/v1/ingest/jira/jira?secret=lls_wrong", created, headers: [:]),
                ]
                #expect(refused.map(\.status) == [401, 401, 401], "\(refused.map(\.text))")
                #expect(try await db.eventCount() == 0)

                let signed = try await Self.post(
                    server, "/v1/ingest/jira/jira", created, headers: ["X-Hub-Signature": signature, "X-Atlassian-Webhook-Identifier": "jira-1"])
                #expect(try Self.disposition(signed) == "recorded", "\(signed.text)")
                let retry = try await Self.post(
                    server, "/v1/ingest/jira/jira", created,
                    headers: ["X-Hub-Signature": signature, "X-Atlassian-Webhook-Identifier": "jira-1", "X-Atlassian-Webhook-Retry": "1"])
                #expect(try retry.json()["replayed"] as? Bool == true)
                let started = try await Self.post(
                    server, "/v1/ingest/jira/jira?secret=\(secret)", try Fixture.data("jira/issue_updated-started.json"),
                    headers: ["X-Atlassian-Webhook-Identifier": "jira-2"])
                #expect(try Self.disposition(started) == "recorded", "\(started.text)")
                let types = try await db.store.readAll(after: 0, limit: 10).map(\.type)
                #expect(types == ["StoryCreated", "StoryStarted"], "the update's creation finds the story recorded")
            }
        }
    }

    @Test("feedback: a form or JSON with the bearer secret; an answer id dedupes, two anonymous alike answers are two")
    func feedback() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let secret = try await server.server.ingest.sources.create(
                    name: "nps", kind: .feedback, settings: SourceSettings(team: "frontend", service: "web")).secret
                let bearer = ["Authorization": "Bearer \(secret)"]
                let form = Data("rating=5&text=Love+it&submit=Send".utf8)
                #expect(try await Self.post(server, "/v1/ingest/feedback/nps", form, headers: [:], contentType: "application/x-www-form-urlencoded").status == 401)
                #expect(try await Self.post(server, "/v1/ingest/github/nps", form, headers: bearer, contentType: "application/x-www-form-urlencoded").status == 415)
                #expect(try await Self.post(server, "/v1/ingest/feedback/nps", form, headers: bearer, contentType: "text/plain").status == 415)
                for _ in 0..<2 {
                    let answer = try await Self.post(server, "/v1/ingest/feedback/nps", form, headers: bearer, contentType: "application/x-www-form-urlencoded")
                    #expect(try Self.disposition(answer) == "recorded", "\(answer.text)")
                }
                let keyed = Data(#"{"id": "resp-7", "rating": 2, "text": "Slow"}"#.utf8)
                for _ in 0..<2 { _ = try await Self.post(server, "/v1/ingest/feedback/nps", keyed, headers: bearer) }
                let unrated = try await Self.post(server, "/v1/ingest/feedback/nps", Data(#"{"rating": 9}"#.utf8), headers: bearer)
                #expect(try Self.disposition(unrated) == "dead-lettered")
                #expect(try await db.eventCount() == 3, "two anonymous answers and one keyed, once")
            }
        }
    }

    @Test("a CSV import records each row once: a second import of the same file records nothing")
    func csvImport() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let pipeline = server.server.ingest
                _ = try await pipeline.sources.create(name: "survey", kind: .feedback, settings: SourceSettings(service: "web"))
                let file = Data("Score,Comment\n4,Good\n4,Good\n1,\n7,Out of range\n".utf8)
                let rows = try FeedbackCSV(map: ["rating=Score,text=Comment"]).rows(file)
                var rounds: [[String]] = []
                for _ in 0..<2 {
                    var round: [String] = []
                    for row in rows {
                        let answer = try await pipeline.submit(kind: .feedback, source: "survey", key: row.key, body: row.body)
                        round.append((answer.replayed ? "again " : "") + answer.disposition.rawValue)
                    }
                    rounds.append(round)
                }
                #expect(rounds[0] == ["recorded", "recorded", "recorded", "dead-lettered"])
                #expect(rounds[1] == ["again recorded", "again recorded", "again recorded", "again dead-lettered"])
                #expect(try await db.eventCount() == 3)
                await #expect(throws: IngestError.self) { try await pipeline.submit(kind: .github, source: "survey", key: "k", body: Data("{}".utf8)) }
            }
        }
    }
}
