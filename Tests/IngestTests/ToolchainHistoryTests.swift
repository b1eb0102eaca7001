import EventStore
import Foundation
import JSON
import LooplineTestSupport
import Server
import Testing

@testable import Ingest

/// One team, service `shop`, fed only by its tools: the plan in Jira (project SHOP), code and
/// pipelines in GitLab (acme/shop), a test job that reports as a CDEvent, alerts from
/// Alertmanager, feedback from a survey's CSV export. Every expected figure is worked out by
/// hand below; all times are UTC, October 2026.
///
/// Jira: SHOP-1 created 1st 09:00 (High → 2), started 2nd 09:00, done 6th 17:00 → cycle 104 h.
/// SHOP-2 created 1st 10:00 (Medium), raised to Highest (1) 3rd 08:00, started 3rd 09:00, done
/// 7th 15:00 → cycle 102 h. SHOP-3 created 2nd 09:00, resolved Won't Do 4th 12:00 → cancelled.
/// SHOP-9 (an Improvement) created 8th 10:00, done 9th 12:00.
/// Cycle time over the two: p50 103, p85 102 + 0.85 × 2 = 103.7.
///
/// GitLab, 5th: c1 "SHOP-1: saved cards vault" pushed 08:00; pipeline 3000 on c1 08:02–08:30
/// passes; tests on c1 complete 08:40; staging deployment 400 of c1 08:45; production 401 of
/// c1 09:10–09:30 → lead 1.5 h. MR !7 (branch feature/SHOP-2-gift-cards) merges c2 12:00;
/// pipeline 3001 on c2 fails 12:10, pipeline 3002 passes 12:15–12:30; tests on c2 complete
/// 12:45; production 402 of c2 fails 13:00; 403 of c2 13:40–14:00 succeeds → lead 2 h;
/// release v2.0.0 at c2 published 15:00.
///
/// Alertmanager: CardVaultLatency (critical) fires 16:00, resolves 17:30: a breach and an
/// incident of 1.5 h, attributed by DORA's rule to 403 (the latest production deployment in the
/// 24 h before). ErrorRate (warning) fires 16:05 and stays firing: an active breach only.
/// Survey CSV, 6th: r1 5 ★ on SHOP-1, r2 2 ★ on SHOP-2 ("gift card checkout failed once"), r3 4 ★.
///
/// DORA, 5th–12th (7 days): 2 successful production deployments → 0.2857 a day; leads 1.5 and
/// 2 → median 1.75, p90 1.5 + 0.9 × 0.5 = 1.95; failed changes 402 (failed) and 403 (incident)
/// of 3 attempts; recoveries 402 → 403 1 h and the incident 1.5 h → median 1.25.
///
/// SHOP-2's value stream: plan 1st 10:00 → 3rd 09:00 = 47 h; code → c2 5th 12:00 = 51 h
/// (the bottleneck); build → 3002 12:30 = 0.5 h; test → 12:45 = 0.25 h; deploy → 403 14:00 =
/// 1.25 h; release → 15:00 = 1 h; lead time from creation 100 h; the incident; r2.
@Suite("A team's history from Jira, GitLab, a CI test job, Alertmanager and a survey CSV")
struct ToolchainHistoryTests {
    typealias JSON = [String: Any]

    static let c1 = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
    static let c2 = "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"
    static var project: JSON { [
        "id": 4300, "name": "shop", "path_with_namespace": "acme/shop", "default_branch": "main",
        "web_url": "https://gitlab.acme.example/acme/shop",
    ] }

    // MARK: - The tools' payloads

    static func jira(_ event: String, key: String, type: String = "Story", summary: String, priority: String,
                     category: String, resolution: String? = nil, created: String, at: String, changes: [String] = []) -> JSON {
        var body: JSON = [
            "timestamp": Int((ISO8601Timestamp.parse(at)!.timeIntervalSince1970 * 1000).rounded()), "webhookEvent": event,
            "issue_event_type_name": event == "jira:issue_created" ? "issue_created" : "issue_generic",
            "user": ["accountId": "712020:grace", "displayName": "Grace Hopper"],
            "issue": [
                "id": "1\(key.filter(\.isNumber))", "key": key,
                "fields": [
                    "summary": summary, "issuetype": ["name": type], "project": ["key": "SHOP", "name": "Shop"],
                    "priority": ["name": priority], "created": created,
                    "status": ["name": category == "done" ? "Done" : category == "new" ? "To Do" : "In Progress", "statusCategory": ["key": category]],
                    "resolution": resolution.map { ["name": $0] as Any } ?? NSNull(),
                ] as JSON,
            ] as JSON,
        ]
        if !changes.isEmpty { body["changelog"] = ["id": "1\(changes.count)", "items": changes.map { ["field": $0, "fieldId": $0, "fieldtype": "jira"] }] }
        return body
    }

    static func push(_ sha: String, _ message: String, _ at: String) -> JSON {
        [
            "object_kind": "push", "ref": "refs/heads/main", "before": String(repeating: "0", count: 40), "after": sha, "checkout_sha": sha,
            "user_username": "ada", "project": project, "total_commits_count": 1,
            "commits": [["id": sha, "message": message, "title": message, "timestamp": at, "author": ["name": "Ada Lovelace", "email": "ada@acme.example"]]],
        ]
    }

    static func merged(_ sha: String, iid: Int, title: String, branch: String, at: String) -> JSON {
        [
            "object_kind": "merge_request", "user": ["username": "ada"], "project": project,
            "object_attributes": [
                "iid": iid, "action": "merge", "state": "merged", "title": title, "source_branch": branch, "target_branch": "main",
                "merge_commit_sha": sha, "updated_at": at, "last_commit": ["id": sha],
            ] as JSON,
        ]
    }

    static func pipeline(_ id: Int, _ sha: String, _ status: String, created: String, finished: String?, duration: Int?) -> JSON {
        [
            "object_kind": "pipeline", "project": project,
            "object_attributes": [
                "id": id, "ref": "main", "tag": false, "sha": sha, "status": status, "source": "push", "created_at": created,
                "finished_at": finished ?? NSNull(), "duration": duration ?? NSNull(),
            ] as JSON,
            "builds": [["id": id * 10, "stage": "test", "name": "unit", "status": status == "failed" ? "failed" : "success"]],
        ]
    }

    static func deployment(_ id: Int, _ sha: String, _ status: String, environment: String = "production", at: String) -> JSON {
        [
            "object_kind": "deployment", "status": status, "status_changed_at": at, "deployment_id": id, "deployable_id": id * 10,
            "environment": environment, "project": project, "short_sha": String(sha.prefix(8)), "ref": "main",
            "commit_url": "https://gitlab.acme.example/acme/shop/-/commit/\(sha)",
        ]
    }

    static func testRun(_ id: String, _ sha: String, passed: Int, at: String) -> JSON {
        [
            "specversion": "1.0", "id": id, "source": "/gitlab-ci/acme/shop", "type": "dev.cdevents.testsuiterun.finished.0.1.1", "time": at,
            "data": [
                "context": ["version": "0.4.1", "id": id, "source": "/gitlab-ci/acme/shop", "type": "dev.cdevents.testsuiterun.finished.0.1.1", "timestamp": at],
                "subject": ["id": id, "source": "/gitlab-ci/acme/shop", "type": "testsuiterun",
                            "content": ["testSuite": ["id": "unit", "name": "unit"], "outcome": "pass"]],
                "customData": ["sha": sha, "passed": passed, "failed": 0, "skipped": 1, "service": "shop"],
            ] as JSON,
        ]
    }

    static func alerts(_ status: String, _ alerts: [JSON]) -> JSON {
        ["version": "4", "status": status, "receiver": "loopline", "groupLabels": ["service": "shop"], "alerts": alerts]
    }

    static func alert(_ status: String, name: String, fingerprint: String, severity: String, starts: String, ends: String) -> JSON {
        [
            "status": status, "fingerprint": fingerprint, "startsAt": starts, "endsAt": ends,
            "labels": ["alertname": name, "service": "shop", "severity": severity, "environment": "production"],
            "annotations": ["summary": "\(name) on shop", "value": "3", "threshold": "2"],
        ]
    }

    static let survey = """
        Response ID,Submitted,Score,Comment,Story
        r1,2026-10-06T09:00:00Z,5,Saved cards are great,SHOP-1
        r2,2026-10-06T10:00:00Z,2,"Gift card checkout failed once, then worked",SHOP-2
        r3,2026-10-06T11:00:00Z,4,Nice,

        """

    // MARK: - The test

    @Test("all seven stages fill; DORA, SHOP-2's value stream and the cycle time equal the figures worked out by hand")
    func history() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, workers: true) { server in
                let sources = server.server.ingest.sources
                let shop = SourceSettings(team: "web-team", service: "shop")
                let jira = try await sources.create(name: "jira", kind: .jira, settings: SourceSettings(team: "web-team", repositories: ["shop": .init(service: "shop")])).secret
                let gitlab = try await sources.create(name: "gitlab", kind: .gitlab, settings: shop).secret
                let ci = try await sources.create(name: "ci", kind: .cloudevents, settings: shop).secret
                let prometheus = try await sources.create(name: "prometheus", kind: .alertmanager, settings: SourceSettings(team: "web-team")).secret
                _ = try await sources.create(name: "survey", kind: .feedback, settings: shop)

                var sent = 0
                func send(_ kind: String, _ source: String, _ body: JSON, _ headers: [String: String]) async throws {
                    let data = try JSONSerialization.data(withJSONObject: body)
                    var headers = headers.merging(["Content-Type": "application/json"]) { $1 }
                    if kind == "jira" { headers["X-Hub-Signature"] = SharedSecret.sign(data, secret: jira) }
                    sent += 1
                    headers["Idempotency-Key"] = "delivery-\(sent)"
                    let response = try await server.http.request("POST", "/v1/ingest/\(kind)/\(source)", headers: headers, body: data)
                    #expect(try response.json()["disposition"] as? String == "recorded", "\(kind) #\(sent): \(response.text)")
                }
                func jiraSend(_ body: JSON) async throws { try await send("jira", "jira", body, [:]) }
                func gitlabSend(_ event: String, _ body: JSON) async throws {
                    try await send("gitlab", "gitlab", body, ["X-Gitlab-Event": event, "X-Gitlab-Token": gitlab])
                }

                // The plan.
                try await jiraSend(Self.jira("jira:issue_created", key: "SHOP-1", summary: "Checkout with saved cards", priority: "High", category: "new",
                                             created: "2026-10-01T11:00:00.000+0200", at: "2026-10-01T09:00:00Z"))
                try await jiraSend(Self.jira("jira:issue_created", key: "SHOP-2", summary: "Gift cards", priority: "Medium", category: "new",
                                             created: "2026-10-01T12:00:00.000+0200", at: "2026-10-01T10:00:00Z"))
                try await jiraSend(Self.jira("jira:issue_created", key: "SHOP-3", summary: "Dark mode", priority: "Low", category: "new",
                                             created: "2026-10-02T11:00:00.000+0200", at: "2026-10-02T09:00:00Z"))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-1", summary: "Checkout with saved cards", priority: "High", category: "indeterminate",
                                             created: "2026-10-01T11:00:00.000+0200", at: "2026-10-02T09:00:00Z", changes: ["status"]))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-2", summary: "Gift cards", priority: "Highest", category: "new",
                                             created: "2026-10-01T12:00:00.000+0200", at: "2026-10-03T08:00:00Z", changes: ["priority"]))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-2", summary: "Gift cards", priority: "Highest", category: "indeterminate",
                                             created: "2026-10-01T12:00:00.000+0200", at: "2026-10-03T09:00:00Z", changes: ["status"]))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-3", summary: "Dark mode", priority: "Low", category: "done", resolution: "Won't Do",
                                             created: "2026-10-02T11:00:00.000+0200", at: "2026-10-04T12:00:00Z", changes: ["resolution", "status"]))

                // Code, pipelines, tests, deployments, the release.
                try await gitlabSend("Push Hook", Self.push(Self.c1, "SHOP-1: saved cards vault", "2026-10-05T10:00:00+02:00"))
                try await gitlabSend("Pipeline Hook", Self.pipeline(3000, Self.c1, "running", created: "2026-10-05 08:02:00 UTC", finished: nil, duration: nil))
                try await gitlabSend("Pipeline Hook", Self.pipeline(3000, Self.c1, "success", created: "2026-10-05 08:02:00 UTC", finished: "2026-10-05 08:30:00 UTC", duration: 1680))
                try await send("cloudevents", "ci", Self.testRun("unit-3000", Self.c1, passed: 120, at: "2026-10-05T08:40:00Z"), ["Authorization": "Bearer \(ci)"])
                try await gitlabSend("Deployment Hook", Self.deployment(400, Self.c1, "success", environment: "staging", at: "2026-10-05 10:45:00 +0200"))
                try await gitlabSend("Deployment Hook", Self.deployment(401, Self.c1, "running", at: "2026-10-05 11:10:00 +0200"))
                try await gitlabSend("Deployment Hook", Self.deployment(401, Self.c1, "success", at: "2026-10-05 11:30:00 +0200"))
                try await gitlabSend("Merge Request Hook", Self.merged(Self.c2, iid: 7, title: "Gift cards", branch: "feature/SHOP-2-gift-cards", at: "2026-10-05T12:00:00Z"))
                try await gitlabSend("Pipeline Hook", Self.pipeline(3001, Self.c2, "failed", created: "2026-10-05 12:01:00 UTC", finished: "2026-10-05 12:10:00 UTC", duration: 540))
                try await gitlabSend("Pipeline Hook", Self.pipeline(3002, Self.c2, "success", created: "2026-10-05 12:15:00 UTC", finished: "2026-10-05 12:30:00 UTC", duration: 900))
                try await send("cloudevents", "ci", Self.testRun("unit-3002", Self.c2, passed: 121, at: "2026-10-05T12:45:00Z"), ["Authorization": "Bearer \(ci)"])
                try await gitlabSend("Deployment Hook", Self.deployment(402, Self.c2, "running", at: "2026-10-05 14:50:00 +0200"))
                try await gitlabSend("Deployment Hook", Self.deployment(402, Self.c2, "failed", at: "2026-10-05 15:00:00 +0200"))
                try await gitlabSend("Deployment Hook", Self.deployment(403, Self.c2, "running", at: "2026-10-05 15:40:00 +0200"))
                try await gitlabSend("Deployment Hook", Self.deployment(403, Self.c2, "success", at: "2026-10-05 16:00:00 +0200"))
                try await gitlabSend("Release Hook", [
                    "object_kind": "release", "action": "create", "id": 77, "tag": "v2.0.0", "name": "2.0.0", "description": "Gift cards",
                    "released_at": "2026-10-05 15:00:00 UTC", "created_at": "2026-10-05 15:00:00 UTC", "project": Self.project,
                    "commit": ["id": Self.c2],
                ])

                // Alerts: a group fires (sent twice, as Alertmanager repeats), then the critical one resolves.
                let latency = Self.alert("firing", name: "CardVaultLatency", fingerprint: "aa11bb22cc33dd44", severity: "critical",
                                         starts: "2026-10-05T16:00:00Z", ends: "0001-01-01T00:00:00Z")
                let errors = Self.alert("firing", name: "ErrorRate", fingerprint: "ee55ff66aa77bb88", severity: "warning",
                                        starts: "2026-10-05T16:05:00Z", ends: "0001-01-01T00:00:00Z")
                let bearer = ["Authorization": "Bearer \(prometheus)"]
                try await send("alertmanager", "prometheus", Self.alerts("firing", [latency, errors]), bearer)
                try await send("alertmanager", "prometheus", Self.alerts("firing", [latency, errors]), bearer)
                var resolved = latency
                resolved["status"] = "resolved"
                resolved["endsAt"] = "2026-10-05T17:30:00Z"
                try await send("alertmanager", "prometheus", Self.alerts("resolved", [resolved]), bearer)

                // Feedback from the survey's export, imported twice (the second records nothing).
                let rows = try FeedbackCSV(map: ["id=Response ID,occurredAt=Submitted,rating=Score,text=Comment,storyId=Story"]).rows(Data(Self.survey.utf8))
                for _ in 0..<2 {
                    for row in rows {
                        let answer = try await server.server.ingest.submit(kind: .feedback, source: "survey", key: row.key, body: row.body)
                        #expect(answer.disposition == .recorded, "line \(row.line): \(answer.reason ?? "")")
                    }
                }

                // Work finishes; the improvement is planned and done.
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-1", summary: "Checkout with saved cards", priority: "High", category: "done", resolution: "Done",
                                             created: "2026-10-01T11:00:00.000+0200", at: "2026-10-06T17:00:00Z", changes: ["resolution", "status"]))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-2", summary: "Gift cards", priority: "Highest", category: "done", resolution: "Done",
                                             created: "2026-10-01T12:00:00.000+0200", at: "2026-10-07T15:00:00Z", changes: ["status"]))
                try await jiraSend(Self.jira("jira:issue_created", key: "SHOP-9", type: "Improvement", summary: "Alert on card vault latency earlier", priority: "Medium",
                                             category: "new", created: "2026-10-08T12:00:00.000+0200", at: "2026-10-08T10:00:00Z"))
                try await jiraSend(Self.jira("jira:issue_updated", key: "SHOP-9", type: "Improvement", summary: "Alert on card vault latency earlier", priority: "Medium",
                                             category: "done", resolution: "Done", created: "2026-10-08T12:00:00.000+0200", at: "2026-10-09T12:00:00Z", changes: ["status"]))

                let harness = ProjectionHarness(db)
                try await harness.caughtUp()
                try await checkStages(harness)
                try await checkDORA(harness)
                try await checkValueStream(harness)
            }
        }
    }

    // MARK: - What each read model says

    func list(_ answer: [String: Any], _ key: String) -> [JSON] { answer[key] as? [JSON] ?? [] }

    func checkStages(_ harness: ProjectionHarness) async throws {
        let stories = list(try await harness.query("planning", "stories"), "stories")
        #expect(Dictionary(uniqueKeysWithValues: stories.map { ($0["storyId"] as? String ?? "", "\($0["status"] ?? "")/\($0["priority"] ?? "")") })
            == ["SHOP-1": "done/2", "SHOP-2": "done/1", "SHOP-3": "cancelled/4"])
        let cycle = try await harness.query("planning", "cycle-time", ["from": "2026-10-01", "to": "2026-10-12"])
        #expect(cycle["count"] as? Int == 2)
        #expect((cycle["p50Hours"] as? NSNumber)?.doubleValue == 103)
        #expect((cycle["p85Hours"] as? NSNumber)?.doubleValue == 103.7)

        let builds = list(try await harness.query("integration", "builds"), "builds")
        #expect(Set(builds.map { "\($0["buildId"] ?? "") \($0["status"] ?? "")" }) == ["gl:pipeline.3000 passed", "gl:pipeline.3001 failed", "gl:pipeline.3002 passed"])
        let runs = list(try await harness.query("testing", "runs"), "runs")
        #expect(Set(runs.map { "\($0["sha"] ?? "") \($0["passed"] ?? "")" }) == ["\(Self.c1) 120", "\(Self.c2) 121"])

        let deployments = list(try await harness.query("delivery", "deployments"), "deployments")
        #expect(Set(deployments.map { "\($0["deploymentId"] ?? "") \($0["environment"] ?? "") \($0["status"] ?? "")" }) == [
            "gl:deployment.400 staging succeeded", "gl:deployment.401 production succeeded",
            "gl:deployment.402 production failed", "gl:deployment.403 production succeeded",
        ])
        let live = list(try await harness.query("delivery", "live"), "live")
        #expect(Set(live.map { "\($0["environment"] ?? "") \($0["sha"] ?? "")" }) == ["staging \(Self.c1)", "production \(Self.c2)"])
        #expect(list(try await harness.query("delivery", "releases"), "releases").map { $0["version"] as? String } == ["v2.0.0"])

        let breaches = list(try await harness.query("monitoring", "breaches", ["active": "false"]), "breaches")
        #expect(breaches.count == 2)
        #expect(breaches.filter { $0["recoveredAt"] is NSNull }.map { $0["metric"] as? String } == ["error_rate.ee55ff66aa77bb88"])
        let incidents = list(try await harness.query("monitoring", "incidents"), "incidents")
        #expect(incidents.map { "\($0["incidentId"] ?? "") \($0["severity"] ?? "") \($0["hoursToRestore"] ?? "")" } == ["am:aa11bb22cc33dd44:20261005160000 1 1.5"])

        let feedback = list(try await harness.query("feedback", "feedback"), "feedback")
        #expect(feedback.map { $0["rating"] as? Int }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [2, 4, 5], "three answers, once each")
        #expect(Set(feedback.map { $0["source"] as? String }) == ["survey"])
        let negative = list(try await harness.query("feedback", "unanswered-negative"), "feedback")
        #expect(negative.map { $0["storyId"] as? String } == ["SHOP-2"])

        let improvements = list(try await harness.query("improvement", "improvements"), "improvements")
        #expect(improvements.map { "\($0["improvementId"] ?? "") \($0["status"] ?? "")" } == ["SHOP-9 completed"])
    }

    func checkDORA(_ harness: ProjectionHarness) async throws {
        let report = try await harness.query("dora", "report", ["from": "2026-10-05", "to": "2026-10-12"])
        let overall = report["overall"] as? JSON ?? [:]
        func figure(_ group: String, _ key: String) -> Double? { ((overall[group] as? JSON)?[key] as? NSNumber)?.doubleValue }
        #expect(figure("deploymentFrequency", "deployments") == 2)
        #expect(figure("deploymentFrequency", "perDay") == 0.2857)
        #expect(figure("leadTime", "commits") == 2)
        #expect(figure("leadTime", "medianHours") == 1.75)
        #expect(figure("leadTime", "p90Hours") == 1.95)
        #expect(figure("changeFailureRate", "failedChanges") == 2)
        #expect(figure("changeFailureRate", "deployments") == 3)
        #expect(figure("recoveryTime", "recoveries") == 2)
        #expect(figure("recoveryTime", "medianHours") == 1.25)
    }

    func checkValueStream(_ harness: ProjectionHarness) async throws {
        let stream = try await harness.query("value-stream", "story", ["storyId": "SHOP-2"])
        #expect((stream["commits"] as? [JSON])?.map { $0["sha"] as? String } == [Self.c2])
        #expect(stream["finalCommit"] as? String == Self.c2)
        let steps = (stream["steps"] as? [JSON] ?? []).map { "\($0["step"] ?? "") \(($0["hours"] as? NSNumber)?.doubleValue ?? -1)" }
        #expect(steps == ["plan 47.0", "code 51.0", "build 0.5", "test 0.25", "deploy 1.25", "release 1.0"])
        #expect(stream["bottleneck"] as? String == "code")
        #expect((stream["leadTimeHours"] as? NSNumber)?.doubleValue == 100)
        #expect((stream["environments"] as? [JSON])?.map { "\($0["environment"] ?? "") \($0["deploymentId"] ?? "")" } == ["production gl:deployment.403"])
        #expect((stream["incidents"] as? [JSON])?.map { "\($0["incidentId"] ?? "") \($0["rule"] ?? "")" } == ["am:aa11bb22cc33dd44:20261005160000 recent_deployment"])
        #expect((stream["feedback"] as? [JSON])?.map { $0["rating"] as? Int } == [2])
        #expect((stream["builds"] as? [JSON])?.count == 2)
        #expect((stream["testRuns"] as? [JSON])?.count == 1)
        let first = try await harness.query("value-stream", "story", ["storyId": "SHOP-1"])
        #expect((first["incidents"] as? [JSON])?.isEmpty == true, "the incident follows 403, a deployment of SHOP-2's commit only")
    }
}
