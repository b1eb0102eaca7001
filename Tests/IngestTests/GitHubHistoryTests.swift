import Foundation
import LooplineTestSupport
import Projections
import Server
import Testing

@testable import Ingest

/// Two services fed only by GitHub webhooks (pushes, a merged pull request, deployments with
/// statuses including a failure, an incident issue opened and closed; the tracker's stories
/// come in as commands, as they would from Jira), then DORA and the value stream as a user
/// would read them. Every expected figure is worked out by hand below.
///
/// web (acme/web, team frontend), production deployments:
/// - w1 pushed 5 Oct 08:00 ("PROJ-1: login form"); dw1 succeeds 5 Oct 12:00 → lead 4 h.
/// - w2 merged as PR #10 from `feature/PROJ-2-signup` 6 Oct 08:00; dw2 fails 6 Oct 11:00; dw3
///   succeeds 6 Oct 14:00 → lead 6 h; the failure is recovered by dw3: 3 h.
/// - w3 pushed 7 Oct 08:00 ("Fix signup validation (#11)"); dw4 succeeds 7 Oct 12:00 → lead 4 h.
/// - incident issue #12 opened 7 Oct 15:00, closed 17:00 (2 h): the latest web deployment in the
///   24 h before it is dw4, a failed change.
/// api (acme/api, team platform): a1 pushed 8 Oct 09:00, da1 succeeds 11:00 → 2 h; a2 pushed
/// 9 Oct 09:00, da2 succeeds 17:00 → 8 h.
///
/// Overall, 5–19 Oct (14 days): 5 successful of 6 attempts → 0.3571 a day; leads 2 4 4 6 8 →
/// median 4, p90 6 + 0.6 × 2 = 7.2; failed changes dw2 and dw4 → 2/6; recoveries 2 and 3 → 2.5.
@Suite("A two-service history sent as GitHub webhooks")
struct GitHubHistoryTests {
    typealias JSON = [String: Any]

    static let sha = (
        w1: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", w2: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
        w3: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", a1: "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4",
        a2: "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5")

    static func repository(_ name: String) -> JSON {
        ["id": name == "web" ? 7001 : 7002, "name": name, "full_name": "acme/\(name)", "default_branch": "main", "owner": ["login": "acme"]]
    }

    static func push(_ repo: String, _ sha: String, _ message: String, _ at: String) -> JSON {
        [
            "ref": "refs/heads/main", "before": String(repeating: "0", count: 40), "after": sha, "created": false, "deleted": false,
            "forced": false, "repository": repository(repo), "pusher": ["name": "ada"],
            "commits": [["id": sha, "message": message, "timestamp": at, "distinct": true, "author": ["name": "Ada", "username": "ada"]]],
        ]
    }

    static func merged(_ repo: String, number: Int, sha: String, title: String, head: String, at: String) -> JSON {
        [
            "action": "closed", "number": number, "repository": repository(repo),
            "pull_request": [
                "number": number, "state": "closed", "title": title, "merged": true, "merged_at": at, "closed_at": at,
                "merge_commit_sha": sha, "user": ["login": "ada"], "head": ["ref": head, "sha": sha], "base": ["ref": "main"],
            ],
        ]
    }

    static func deploymentStatus(_ repo: String, id: Int, sha: String, created: String, state: String, at: String) -> JSON {
        [
            "action": "created", "repository": repository(repo),
            "deployment": ["id": id, "sha": sha, "ref": "main", "environment": "production", "created_at": created],
            "deployment_status": ["id": id * 10, "state": state, "environment": "production", "created_at": at, "description": state],
        ]
    }

    static func issue(_ repo: String, number: Int, title: String, labels: [String], action: String, created: String, closed: String?) -> JSON {
        [
            "action": action, "repository": repository(repo),
            "issue": [
                "number": number, "title": title, "labels": labels.map { ["name": $0] }, "state": closed == nil ? "open" : "closed",
                "created_at": created, "updated_at": closed ?? created, "closed_at": closed as Any, "state_reason": closed == nil ? NSNull() : "completed",
            ],
        ]
    }

    /// Every delivery, in the order GitHub would send them.
    static var deliveries: [(event: String, payload: JSON)] {
        [
            ("issues", issue("web", number: 11, title: "Signup rejects valid emails", labels: ["bug"], action: "opened", created: "2026-10-04T09:00:00Z", closed: nil)),
            ("push", push("web", sha.w1, "PROJ-1: login form", "2026-10-05T08:00:00Z")),
            ("deployment_status", deploymentStatus("web", id: 1, sha: sha.w1, created: "2026-10-05T10:00:00Z", state: "success", at: "2026-10-05T12:00:00Z")),
            ("pull_request", merged("web", number: 10, sha: sha.w2, title: "Signup page", head: "feature/PROJ-2-signup", at: "2026-10-06T08:00:00Z")),
            ("deployment_status", deploymentStatus("web", id: 2, sha: sha.w2, created: "2026-10-06T10:00:00Z", state: "failure", at: "2026-10-06T11:00:00Z")),
            ("deployment_status", deploymentStatus("web", id: 3, sha: sha.w2, created: "2026-10-06T13:00:00Z", state: "success", at: "2026-10-06T14:00:00Z")),
            ("push", push("web", sha.w3, "Fix signup validation (#11)", "2026-10-07T08:00:00Z")),
            ("deployment_status", deploymentStatus("web", id: 4, sha: sha.w3, created: "2026-10-07T10:00:00Z", state: "success", at: "2026-10-07T12:00:00Z")),
            ("issues", issue("web", number: 12, title: "Login down", labels: ["incident", "sev1"], action: "opened", created: "2026-10-07T15:00:00Z", closed: nil)),
            ("issues", issue("web", number: 12, title: "Login down", labels: ["incident", "sev1"], action: "closed", created: "2026-10-07T15:00:00Z", closed: "2026-10-07T17:00:00Z")),
            ("push", push("api", sha.a1, "PROJ-3: rate limits", "2026-10-08T09:00:00Z")),
            ("deployment_status", deploymentStatus("api", id: 5, sha: sha.a1, created: "2026-10-08T10:00:00Z", state: "success", at: "2026-10-08T11:00:00Z")),
            ("push", push("api", sha.a2, "PROJ-3: tune the limits", "2026-10-09T09:00:00Z")),
            ("deployment_status", deploymentStatus("api", id: 6, sha: sha.a2, created: "2026-10-09T16:00:00Z", state: "success", at: "2026-10-09T17:00:00Z")),
        ]
    }

    func figures(_ metrics: JSON?) -> [String] {
        let m = metrics ?? [:]
        func g(_ key: String) -> JSON { m[key] as? JSON ?? [:] }
        func n(_ value: Any?) -> String {
            guard let number = value as? NSNumber else { return "-" }
            return number.doubleValue == number.doubleValue.rounded() ? String(number.int64Value) : String(number.doubleValue)
        }
        let f = g("deploymentFrequency"), l = g("leadTime"), c = g("changeFailureRate"), r = g("recoveryTime")
        return [
            "frequency \(n(f["deployments"])) \(n(f["perDay"]))", "lead \(n(l["commits"])) \(n(l["medianHours"])) \(n(l["p90Hours"]))",
            "cfr \(n(c["failedChanges"]))/\(n(c["deployments"]))", "recovery \(n(r["recoveries"])) \(n(r["medianHours"]))",
        ]
    }

    @Test("DORA from webhooks alone matches the hand-worked figures; every story id from branches and messages is in the value stream")
    func doraAndValueStream() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, workers: true) { server in
                let settings = SourceSettings(
                    serviceFrom: .map,
                    repositories: ["acme/web": .init(service: "web", team: "frontend"), "acme/api": .init(service: "api", team: "platform")])
                let hook = try await GitHubWebhook.source(server, settings: settings)
                let harness = ProjectionHarness(db)
                for story in ["PROJ-1", "PROJ-2", "PROJ-3"] {
                    try await harness.send("create-story", #"{"storyId": "\#(story)", "title": "\#(story)", "service": "web", "occurredAt": "2026-10-01T09:00:00Z"}"#)
                }
                for (event, payload) in Self.deliveries {
                    let response = try await hook.send(body: try JSONSerialization.data(withJSONObject: payload), event: event)
                    #expect(try response.json()["disposition"] as? String == "recorded", "\(event): \(response.text)")
                }
                try await harness.caughtUp()
                let report = try await harness.query("dora", "report", ["from": "2026-10-05", "to": "2026-10-19"])
                #expect(figures(report["overall"] as? JSON) == ["frequency 5 0.3571", "lead 5 4 7.2", "cfr 2/6", "recovery 2 2.5"])
                let web = (report["services"] as? [JSON])?.first { $0["name"] as? String == "web" }?["metrics"] as? JSON
                #expect(figures(web) == ["frequency 3 0.2143", "lead 3 4 5.6", "cfr 2/4", "recovery 2 2.5"])
                let api = (report["services"] as? [JSON])?.first { $0["name"] as? String == "api" }?["metrics"] as? JSON
                #expect(figures(api) == ["frequency 2 0.1429", "lead 2 5 7.4", "cfr 0/2", "recovery 0 -"])

                let expected = ["PROJ-1": [Self.sha.w1], "PROJ-2": [Self.sha.w2], "acme:web:11": [Self.sha.w3], "PROJ-3": [Self.sha.a1, Self.sha.a2]]
                for (story, commits) in expected {
                    let stream = try await harness.query("value-stream", "story", ["storyId": story])
                    #expect((stream["commits"] as? [JSON])?.map { $0["sha"] as? String } == commits, "\(story)")
                }
            }
        }
    }
}
