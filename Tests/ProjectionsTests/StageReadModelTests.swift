import Foundation
import LooplineTestSupport
import Projections
import Testing

/// Each stage's read model on a small history; every expected answer is worked out by hand
/// in the comments, not computed by the code under test. October 2026: the 5th is a Monday.
@Suite("Stage read models")
struct StageReadModelTests {
    typealias JSON = [String: Any]

    static func list(_ object: JSON, _ key: String) -> [JSON] { object[key] as? [JSON] ?? [] }
    static func strings(_ rows: [JSON], _ key: String) -> [String] { rows.map { $0[key] as? String ?? "nil" } }

    /// A JSON value as text: numbers without a needless ".0" (booleans as 0 and 1), arrays
    /// comma-separated, null as <null>.
    static func t(_ value: Any?) -> String {
        switch value {
        case let number as NSNumber where number.doubleValue == number.doubleValue.rounded():
            return String(number.int64Value)
        case let array as [Any]:
            return array.map { t($0) }.joined(separator: ",")
        case is NSNull, nil:
            return "<null>"
        default:
            return "\(value!)"
        }
    }

    /// Runs `history`, then `checks` once every read model has caught up.
    func with(_ history: (ProjectionHarness) async throws -> Void, _ checks: (ProjectionHarness) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db)
            try await history(harness)
            try await harness.withWorkers { _ in
                try await harness.caughtUp()
                try await checks(harness)
            }
        }
    }

    @Test("Integration: commits per day, builds, pass rate, build time, red-main streaks")
    func integration() async throws {
        try await with({ h in
            for (sha, service, branch, at) in [
                ("aaaaaaa1", "web", "main", "2026-10-05T09:00:00Z"), ("aaaaaaa2", "web", "main", "2026-10-05T15:00:00Z"),
                ("aaaaaaa3", "web", "main", "2026-10-06T10:00:00Z"), ("bbbbbbb1", "api", "main", "2026-10-05T12:00:00Z"),
                ("ccccccc1", "web", "feature/x", "2026-10-06T11:00:00Z"),
            ] {
                try await h.send("integrate-commit", #"{"sha": "\#(sha)", "service": "\#(service)", "branch": "\#(branch)", "occurredAt": "\#(at)"}"#)
            }
            func build(_ command: String, _ id: String, _ sha: String, _ service: String, _ at: String, _ seconds: Int? = nil) async throws {
                let duration = seconds.map { #", "durationSeconds": \#($0)"# } ?? ""
                try await h.send(command, #"{"buildId": "\#(id)", "sha": "\#(sha)", "service": "\#(service)", "occurredAt": "\#(at)"\#(duration)}"#)
            }
            try await build("start-build", "b1", "aaaaaaa1", "web", "2026-10-05T09:05:00Z")
            try await build("pass-build", "b1", "aaaaaaa1", "web", "2026-10-05T09:15:00Z")  // 600 s from its start
            try await build("fail-build", "b2", "aaaaaaa2", "web", "2026-10-05T15:10:00Z", 300)
            try await build("fail-build", "b3", "aaaaaaa3", "web", "2026-10-06T10:10:00Z", 200)
            try await build("pass-build", "b4", "aaaaaaa3", "web", "2026-10-06T12:00:00Z", 400)
            try await build("pass-build", "b5", "bbbbbbb1", "api", "2026-10-05T12:10:00Z", 100)
            try await build("fail-build", "b6", "ccccccc1", "web", "2026-10-06T13:00:00Z", 50)
            try await build("fail-build", "b7", "bbbbbbb1", "api", "2026-10-07T09:00:00Z", 120)
            try await build("start-build", "b8", "aaaaaaa3", "web", "2026-10-07T10:00:00Z")
        }, { h in
            let window = ["from": "2026-10-01", "to": "2026-10-10"]
            let days = Self.list(try await h.query("integration", "commits-per-day", window), "days")
            #expect(days.map { "\(Self.t($0["day"])) \(Self.t($0["service"])) \(Self.t($0["commits"]))" } == ["2026-10-05 api 1", "2026-10-05 web 2", "2026-10-06 web 2"])

            #expect(Self.strings(Self.list(try await h.query("integration", "builds", ["status": "running"]), "builds"), "buildId") == ["b8"])
            let b1 = Self.list(try await h.query("integration", "builds", ["status": "passed", "service": "web"]), "builds").last
            #expect(b1?["buildId"] as? String == "b1")
            #expect(b1?["durationSeconds"] as? Double == 600, "finish minus start when CI reports no duration")

            // Finished: b1 b2 b3 b4 b5 b6 b7; passed b1 b4 b5: 3/7.
            let rate = try await h.query("integration", "pass-rate", window)
            #expect(rate["finished"] as? Int == 7)
            #expect(rate["passed"] as? Int == 3)
            #expect(rate["passRate"] as? Double == 0.4286)
            #expect(Self.list(rate, "byService").map { "\(Self.t($0["service"])) \(Self.t($0["passRate"]))" } == ["api 0.5", "web 0.4"])

            // Durations 50 100 120 200 300 400 600: median 200; p90 at rank 5.4: 400 + 0.4 × 200.
            let time = try await h.query("integration", "build-time", window)
            #expect(time["medianSeconds"] as? Double == 200)
            #expect(time["p90Seconds"] as? Double == 480)
            #expect(Self.list(time, "byService").map { $0["medianSeconds"] as? Double } == [110, 300])

            // main of web: b1 pass, b2 fail, b3 fail, b4 pass (b6 is on a feature branch);
            // main of api: b5 pass, b7 fail (still red).
            let red = try await h.query("integration", "red-main")
            #expect(Self.strings(Self.list(red, "red"), "service") == ["api"])
            let streaks = Self.list(red, "streaks")
            #expect(streaks.map { "\(Self.t($0["service"])) \(Self.t($0["failures"]))" } == ["web 2", "api 1"])
            #expect(streaks.first?["hoursToGreen"] as? Double == 20.83, "15:10 on the 5th to 12:00 on the 6th")
            #expect(streaks.last?["greenAt"] is NSNull)
        })
    }

    @Test("Testing: runs, pass rate per suite, flaky tests, slowest suites")
    func testing() async throws {
        try await with({ h in
            for (run, suite, sha, service, failing, seconds, at) in [
                ("r1", "unit", "aaaaaaa1", "web", [String](), 30, "2026-10-05T10:00:00Z"),
                ("r2", "unit", "aaaaaaa2", "web", ["T1", "T2"], 40, "2026-10-05T16:00:00Z"),
                ("r3", "unit", "aaaaaaa2", "web", [], 35, "2026-10-05T17:00:00Z"),
                ("r4", "ui", "aaaaaaa2", "web", ["U1"], 300, "2026-10-05T18:00:00Z"),
                ("r5", "ui", "aaaaaaa2", "web", ["U1"], 320, "2026-10-05T19:00:00Z"),
                ("r6", "unit", "aaaaaaa3", "web", ["T1"], 50, "2026-10-06T10:00:00Z"),
                ("r7", "unit", "aaaaaaa3", "web", [], 45, "2026-10-06T11:00:00Z"),
                ("r8", "contract", "bbbbbbb1", "api", [], 12, "2026-10-06T12:00:00Z"),
            ] {
                let tests = failing.map { #""\#($0)""# }.joined(separator: ", ")
                try await h.send("complete-test-run", #"{"runId": "\#(run)", "suite": "\#(suite)", "sha": "\#(sha)", "service": "\#(service)", "passed": 10, "failed": \#(failing.count), "skipped": 0, "failingTests": [\#(tests)], "durationSeconds": \#(seconds), "occurredAt": "\#(at)"}"#)
            }
        }, { h in
            let window = ["from": "2026-10-01", "to": "2026-10-10"]
            let r2 = Self.list(try await h.query("testing", "runs", ["suite": "unit", "limit": "10"]), "runs").first { $0["runId"] as? String == "r2" }
            #expect(r2?["failingTests"] as? [String] == ["T1", "T2"])

            // Passed (no failure): r1 r3 r7 r8 of 8; web/unit: r1 r3 r7 of r1 r2 r3 r6 r7.
            let rate = try await h.query("testing", "pass-rate", window)
            #expect(rate["runs"] as? Int == 8)
            #expect(rate["passRate"] as? Double == 0.5)
            #expect(Self.list(rate, "suites").map { "\(Self.t($0["service"]))/\(Self.t($0["suite"])) \(Self.t($0["passRate"]))" } == ["api/contract 1", "web/ui 0", "web/unit 0.6"])

            // T1 failed and passed on aaaaaaa2 and on aaaaaaa3; T2 on aaaaaaa2; U1 failed every time.
            let flaky = Self.list(try await h.query("testing", "flaky"), "tests")
            #expect(flaky.map { "\(Self.t($0["test"])) \(Self.t($0["commits"]))" } == ["T1 2", "T2 1"])

            // Medians: ui 310, unit 40 (30 35 40 45 50), contract 12.
            let slowest = Self.list(try await h.query("testing", "slowest-suites", window), "suites")
            #expect(slowest.map { "\(Self.t($0["suite"])) \(Self.t($0["medianSeconds"])) \(Self.t($0["maxSeconds"]))" } == ["ui 310 320", "unit 40 50", "contract 12 12"])
        })
    }

    @Test("Delivery: deployments, counts per environment, what is live, releases, rollbacks")
    func delivery() async throws {
        try await with({ h in
            func deploy(_ command: String, _ id: String, _ env: String, _ sha: String, _ version: String, _ service: String, _ at: String) async throws {
                try await h.send(command, #"{"deploymentId": "\#(id)", "environment": "\#(env)", "sha": "\#(sha)", "version": "\#(version)", "service": "\#(service)", "occurredAt": "\#(at)"}"#)
            }
            try await deploy("start-deployment", "d1", "staging", "aaaaaaa1", "1.0.0", "web", "2026-10-05T10:00:00Z")
            try await deploy("succeed-deployment", "d1", "staging", "aaaaaaa1", "1.0.0", "web", "2026-10-05T10:05:00Z")
            try await deploy("start-deployment", "d2", "production", "aaaaaaa1", "1.0.0", "web", "2026-10-05T11:00:00Z")
            try await deploy("succeed-deployment", "d2", "production", "aaaaaaa1", "1.0.0", "web", "2026-10-05T11:10:00Z")
            try await deploy("start-deployment", "d3", "production", "aaaaaaa3", "1.1.0", "web", "2026-10-06T13:00:00Z")
            try await deploy("succeed-deployment", "d3", "production", "aaaaaaa3", "1.1.0", "web", "2026-10-06T13:05:00Z")
            try await h.send("roll-back-deployment", #"{"deploymentId": "d3", "reason": "errors", "toVersion": "1.0.0", "toSha": "aaaaaaa1", "service": "web", "occurredAt": "2026-10-06T14:00:00Z"}"#)
            try await deploy("start-deployment", "d4", "production", "aaaaaaa3", "1.1.1", "web", "2026-10-07T09:00:00Z")
            try await deploy("fail-deployment", "d4", "production", "aaaaaaa3", "1.1.1", "web", "2026-10-07T09:05:00Z")
            try await deploy("succeed-deployment", "d5", "production", "bbbbbbb1", "2.0.0", "api", "2026-10-05T13:00:00Z")
            try await h.send("publish-release", #"{"releaseId": "rel-1", "version": "1.0.0", "sha": "aaaaaaa1", "deploymentIds": ["d2"], "service": "web", "occurredAt": "2026-10-05T12:00:00Z"}"#)
        }, { h in
            let d1 = Self.list(try await h.query("delivery", "deployments", ["environment": "staging"]), "deployments")
            #expect(d1.map { "\(Self.t($0["deploymentId"])) \(Self.t($0["status"])) \(Self.t($0["durationSeconds"]))" } == ["d1 succeeded 300"])
            #expect(Self.strings(Self.list(try await h.query("delivery", "deployments", ["service": "web", "environment": "production"]), "deployments"), "deploymentId") == ["d4", "d3", "d2"])

            let counts = Self.list(try await h.query("delivery", "deployment-counts", ["from": "2026-10-01", "to": "2026-10-10"]), "counts")
            #expect(counts.map { "\(Self.t($0["service"]))/\(Self.t($0["environment"])) \(Self.t($0["deployments"])) \(Self.t($0["succeeded"])) \(Self.t($0["failed"])) \(Self.t($0["rolledBack"]))" }
                == ["api/production 1 1 0 0", "web/production 3 2 1 1", "web/staging 1 1 0 0"])

            // web production: d3 was rolled back to 1.0.0 and d4 failed, so 1.0.0 runs there.
            let live = Self.list(try await h.query("delivery", "live"), "live")
            #expect(live.map { "\(Self.t($0["service"]))/\(Self.t($0["environment"])) \(Self.t($0["version"])) \(Self.t($0["sha"])) \(Self.t($0["rolledBack"]))" }
                == ["api/production 2.0.0 bbbbbbb1 0", "web/production 1.0.0 aaaaaaa1 1", "web/staging 1.0.0 aaaaaaa1 0"])

            let releases = Self.list(try await h.query("delivery", "releases"), "releases")
            #expect(releases.map { "\(Self.t($0["releaseId"])) \(Self.t($0["deploymentIds"]))" } == ["rel-1 d2"])
            #expect(Self.strings(Self.list(try await h.query("delivery", "rollbacks"), "rollbacks"), "deploymentId") == ["d3"])
        })
    }

    @Test("Monitoring: active breaches, breaches per service, incidents, time to restore")
    func monitoring() async throws {
        try await with({ h in
            try await h.send("breach-metric", #"{"metric": "latency.p99", "value": 900, "threshold": 500, "environment": "production", "service": "web", "occurredAt": "2026-10-05T12:00:00Z"}"#)
            try await h.send("recover-metric", #"{"metric": "latency.p99", "value": 300, "environment": "production", "service": "web", "occurredAt": "2026-10-05T12:30:00Z"}"#)
            try await h.send("breach-metric", #"{"metric": "error_rate", "value": 0.08, "threshold": 0.05, "environment": "production", "service": "web", "occurredAt": "2026-10-06T14:00:00Z"}"#)
            try await h.send("breach-metric", #"{"metric": "cpu", "value": 95, "threshold": 90, "service": "api", "occurredAt": "2026-10-06T15:00:00Z"}"#)
            try await h.send("open-incident", #"{"incidentId": "i1", "title": "Errors", "severity": 2, "deploymentId": "d3", "service": "web", "occurredAt": "2026-10-06T14:05:00Z"}"#)
            try await h.send("resolve-incident", #"{"incidentId": "i1", "resolution": "rolled back", "service": "web", "occurredAt": "2026-10-06T16:05:00Z"}"#)
            try await h.send("open-incident", #"{"incidentId": "i2", "title": "CPU", "severity": 3, "service": "api", "occurredAt": "2026-10-06T15:10:00Z"}"#)
            try await h.send("resolve-incident", #"{"incidentId": "i2", "service": "api", "occurredAt": "2026-10-07T15:10:00Z"}"#)
            try await h.send("open-incident", #"{"incidentId": "i3", "title": "Outage", "severity": 1, "service": "web", "occurredAt": "2026-10-07T09:30:00Z"}"#)
        }, { h in
            let active = Self.list(try await h.query("monitoring", "breaches"), "breaches")
            #expect(active.map { "\(Self.t($0["service"])) \(Self.t($0["metric"]))" } == ["api cpu", "web error_rate"])
            let all = Self.list(try await h.query("monitoring", "breaches", ["active": "false"]), "breaches")
            #expect(all.count == 3)
            #expect(all.last?["recoveredValue"] as? Double == 300)

            let perService = Self.list(try await h.query("monitoring", "breaches-per-service", ["from": "2026-10-01", "to": "2026-10-10"]), "services")
            #expect(perService.map { "\(Self.t($0["service"])) \(Self.t($0["breaches"])) \(Self.t($0["active"]))" } == ["web 2 1", "api 1 1"])

            #expect(Self.strings(Self.list(try await h.query("monitoring", "incidents", ["status": "open"]), "incidents"), "incidentId") == ["i3"])
            let i1 = Self.list(try await h.query("monitoring", "incidents", ["status": "resolved", "service": "web"]), "incidents").first
            #expect(i1?["hoursToRestore"] as? Double == 2)
            #expect(i1?["deploymentId"] as? String == "d3")

            // Restored in 2 h (i1) and 24 h (i2): median 13, mean 13, p90 2 + 0.9 × 22.
            let restore = try await h.query("monitoring", "time-to-restore", ["from": "2026-10-01", "to": "2026-10-10"])
            #expect(restore["incidents"] as? Int == 2)
            #expect(restore["medianHours"] as? Double == 13)
            #expect(restore["meanHours"] as? Double == 13)
            #expect(restore["p90Hours"] as? Double == 21.8)
            #expect(Self.list(restore, "byService").map { $0["medianHours"] as? Double } == [24, 2])
        })
    }

    @Test("Feedback and Improvement: by source, trend, unanswered negative feedback, time to action")
    func feedbackAndImprovement() async throws {
        try await with({ h in
            for (id, source, rating, service, links, at) in [
                ("f1", "app-store", 2, "web", #", "storyId": "A-1""#, "2026-10-05T10:00:00Z"),
                ("f2", "app-store", 4, "web", "", "2026-10-06T10:00:00Z"),
                ("f3", "survey", 1, "api", "", "2026-10-06T11:00:00Z"),
                ("f4", "support", 5, "web", #", "releaseId": "rel-1""#, "2026-10-13T10:00:00Z"),
            ] {
                try await h.send("receive-feedback", #"{"feedbackId": "\#(id)", "source": "\#(source)", "rating": \#(rating), "service": "\#(service)"\#(links), "occurredAt": "\#(at)"}"#)
            }
            try await h.send("open-incident", #"{"incidentId": "i1", "title": "Errors", "severity": 2, "service": "web", "occurredAt": "2026-10-06T14:05:00Z"}"#)
            try await h.send("propose-improvement", #"{"improvementId": "imp1", "title": "Fix SSO", "feedbackId": "f1", "service": "web", "occurredAt": "2026-10-07T10:00:00Z"}"#)
            try await h.send("propose-improvement", #"{"improvementId": "imp2", "title": "Alert sooner", "incidentId": "i1", "service": "web", "occurredAt": "2026-10-06T18:05:00Z"}"#)
            try await h.send("complete-improvement", #"{"improvementId": "imp2", "outcome": "paged in 1 min", "service": "web", "occurredAt": "2026-10-08T18:05:00Z"}"#)
            try await h.send("propose-improvement", #"{"improvementId": "imp3", "title": "Tidy", "service": "api", "occurredAt": "2026-10-09T10:00:00Z"}"#)
        }, { h in
            let f1 = Self.list(try await h.query("feedback", "feedback", ["storyId": "A-1"]), "feedback")
            #expect(f1.map { "\(Self.t($0["feedbackId"])) \(Self.t($0["improvementId"]))" } == ["f1 imp1"])
            #expect(Self.strings(Self.list(try await h.query("feedback", "feedback", ["rating": "5"]), "feedback"), "feedbackId") == ["f4"])

            let sources = Self.list(try await h.query("feedback", "by-source", ["from": "2026-10-01", "to": "2026-11-01"]), "sources")
            #expect(sources.map { "\(Self.t($0["source"])) \(Self.t($0["count"])) \(Self.t($0["meanRating"]))" } == ["app-store 2 3", "support 1 5", "survey 1 1"])
            #expect((sources.first?["ratings"] as? JSON)?["2"] as? Int == 1)

            // Week of the 5th: ratings 2, 4, 1 (mean 2.33); week of the 12th: 5.
            let weeks = Self.list(try await h.query("feedback", "rating-trend", ["weeks": "2", "to": "2026-10-14"]), "weeks")
            #expect(weeks.map { "\(Self.t($0["weekStart"])) \(Self.t($0["count"])) \(Self.t($0["meanRating"]))" } == ["2026-10-05 3 2.33", "2026-10-12 1 5"])

            #expect(Self.strings(Self.list(try await h.query("feedback", "unanswered-negative"), "feedback"), "feedbackId") == ["f3"], "f1 is answered by imp1")

            #expect(Self.strings(Self.list(try await h.query("improvement", "improvements", ["status": "completed"]), "improvements"), "improvementId") == ["imp2"])
            #expect(Self.strings(Self.list(try await h.query("improvement", "improvements", ["trigger": "none"]), "improvements"), "improvementId") == ["imp3"])
            // imp1: f1 (5th 10:00) to proposal (7th 10:00) 48 h; imp2: i1 (6th 14:05) to proposal
            // 4 h, to completion 52 h; imp3 has no trigger.
            let action = Self.list(try await h.query("improvement", "time-to-action", ["from": "2026-10-01", "to": "2026-11-01"]), "triggers")
            #expect(action.map { "\(Self.t($0["trigger"])) \(Self.t($0["proposed"])) \(Self.t($0["completed"])) \(Self.t($0["medianHoursToProposal"])) \(Self.t($0["medianHoursToCompletion"]))" }
                == ["feedback 1 0 48 <null>", "incident 1 1 4 52", "none 1 0 <null> <null>"])
        })
    }
}
