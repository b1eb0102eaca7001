import Foundation
import LooplineTestSupport
import Projections
import Testing

/// DORA on the history of `DORAHistory` (Tests/Support), every figure worked out by hand there.
@Suite("DORA metrics")
struct DORATests {
    typealias JSON = [String: Any]

    static func at(_ day: Int, _ time: String) -> String { DORAHistory.at(day, time) }

    static func history(_ h: ProjectionHarness) async throws { try await DORAHistory.send(h) }

    func report(_ h: ProjectionHarness, _ extra: [String: String] = [:]) async throws -> JSON {
        try await h.query("dora", "report", ["from": "2026-10-05", "to": "2026-10-19"].merging(extra) { $1 })
    }

    func figures(_ metrics: JSON?) -> [String] {
        let m = metrics ?? [:]
        func g(_ key: String) -> JSON { m[key] as? JSON ?? [:] }
        func n(_ value: Any?) -> String {
            guard let number = value as? NSNumber else { return "-" }
            return number.doubleValue == number.doubleValue.rounded() ? String(number.int64Value) : String(number.doubleValue)
        }
        let f = g("deploymentFrequency"), l = g("leadTime"), c = g("changeFailureRate"), r = g("recoveryTime"), w = g("reworkRate")
        return [
            "frequency \(n(f["deployments"])) \(n(f["perDay"])) \(f["tier"] as? String ?? "-")",
            "lead \(n(l["commits"])) \(n(l["medianHours"])) \(n(l["p90Hours"])) \(l["tier"] as? String ?? "-")",
            "cfr \(n(c["failedChanges"]))/\(n(c["attempts"])) \(n(c["rate"])) \(c["tier"] as? String ?? "-")",
            "recovery \(n(r["recoveries"])) \(n(r["medianHours"])) \(r["tier"] as? String ?? "-")",
            "rework \(n(w["reworkDeployments"]))/\(n(w["deployments"])) \(n(w["rate"]))",
            "tier \(m["tier"] as? String ?? "-")",
        ]
    }

    func group(_ report: JSON, _ key: String, _ name: String) -> JSON? {
        (report[key] as? [JSON])?.first { $0["name"] as? String == name }?["metrics"] as? JSON
    }

    @Test("every metric overall, per service and per team matches the hand-worked figures")
    func figures() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let report = try await report(h)
                // 30 successful of 31 over 14 days; lead times 2 h ×10, 6 h ×11, 27, 30, 48 h ×9:
                // median between ranks 15 and 16 (both 6), p90 at rank 27.9 (48); failed changes
                // alpha-4, beta-3, beta-6, beta-9, gamma-5; recoveries 1.5 2 2.5 4 22.
                #expect(figures(report["overall"] as? JSON) == [
                    "frequency 30 2.1429 elite", "lead 32 6 48 elite", "cfr 5/31 0.1613 low", "recovery 5 2.5 high",
                    "rework 5/30 0.1667", "tier low",
                ])
                // alpha: 11 of 12; 6 h ×11, 27, 30: median 6, p90 at rank 10.8: 6 + 0.8 × 21.
                #expect(figures(group(report, "services", "alpha")) == [
                    "frequency 11 0.7857 high", "lead 13 6 22.8 elite", "cfr 1/12 0.0833 high", "recovery 1 22 high",
                    "rework 1/11 0.0909", "tier high",
                ])
                #expect(figures(group(report, "services", "beta")) == [
                    "frequency 10 0.7143 high", "lead 10 2 2 elite", "cfr 3/10 0.3 low", "recovery 3 2 high",
                    "rework 3/10 0.3", "tier low",
                ])
                #expect(figures(group(report, "services", "gamma")) == [
                    "frequency 9 0.6429 high", "lead 9 48 48 high", "cfr 1/9 0.1111 medium", "recovery 1 2.5 high",
                    "rework 1/9 0.1111", "tier medium",
                ])
                // red = alpha + gamma: 20 of 21; lead 6 ×11, 27, 30, 48 ×9: median at rank 10.5,
                // 6 + 0.5 × 21; p90 at rank 18.9: 48; recoveries 2.5 and 22.
                #expect(figures(group(report, "teams", "red")) == [
                    "frequency 20 1.4286 elite", "lead 22 16.5 48 elite", "cfr 2/21 0.0952 high", "recovery 2 12.25 high",
                    "rework 2/20 0.1", "tier high",
                ])
                #expect(figures(group(report, "teams", "blue")) == figures(group(report, "services", "beta")))
                #expect(figures(try await self.report(h, ["service": "beta"])["overall"] as? JSON) == figures(group(report, "services", "beta")))

                // Weeks of 5 and 12 October: 20 and 10 successful deployments.
                let series = try #require(report["series"] as? [JSON])
                #expect(series.map { (($0["metrics"] as? JSON)?["deploymentFrequency"] as? JSON)?["deployments"] as? Int } == [20, 10])
            }
        }
    }

    @Test("successful deployments and attempts are named apart; the old name of attempts is kept for a version")
    func attemptsAndDeployments() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let overall = try #require(try await report(h)["overall"] as? JSON)
                let frequency = try #require(overall["deploymentFrequency"] as? JSON)
                let failure = try #require(overall["changeFailureRate"] as? JSON)
                // 31 production attempts in the window: 30 went out (one rolled back later), 1 failed.
                #expect(frequency["deployments"] as? Int == 30)
                #expect(failure["attempts"] as? Int == 31)
                #expect(failure["failedAttempts"] as? Int == 1)
                #expect(failure["deployments"] as? Int == failure["attempts"] as? Int, "the deprecated name")
                #expect((overall["reworkRate"] as? JSON)?["deployments"] as? Int == 30)
            }
        }
    }

    @Test("explain lists the deployments, commits and incidents behind the figures, with the attribution rule")
    func explain() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let report = try await report(h, ["explain": "true"])
                let explain = try #require(report["explain"] as? JSON)
                let deployments = try #require(explain["deployments"] as? [JSON])
                #expect(deployments.count == 31, "production only")
                let beta6 = try #require(deployments.first { $0["deploymentId"] as? String == "beta-6" })
                #expect(beta6["reasons"] as? [String] == ["incident"])
                #expect(beta6["incidents"] as? [String] == ["INC-B1"])
                #expect(beta6["recoveryHours"] as? Double == 4)
                #expect(deployments.first { $0["deploymentId"] as? String == "beta-7" }?["rework"] as? Bool == true)
                let late = try #require((explain["commits"] as? [JSON])?.first { $0["sha"] as? String == "a00000ff" })
                #expect(late["deploymentId"] as? String == "alpha-3")
                #expect(late["leadTimeHours"] as? Double == 27)
                let incidents = try #require(explain["incidents"] as? [JSON])
                #expect(incidents.map { "\($0["incidentId"]!) \($0["deploymentId"] as? String ?? "-") \($0["rule"]!) \($0["counted"]!)" } == [
                    "INC-B1 beta-6 recent_deployment 1", "INC-G1 gamma-5 root_cause_sha 1", "INC-B2 beta-9 deployment_link 1",
                    "INC-G2 - recent_deployment 0",
                ])
                #expect((report["attribution"] as? JSON)?["windowHours"] as? Int == 24)

                // Without the default rule, INC-B1 makes no failed change: 4 of 31.
                let strict = try await self.report(h, ["attributionHours": "0"])
                #expect(((strict["overall"] as? JSON)?["changeFailureRate"] as? JSON)?["failedChanges"] as? Int == 4)
            }
        }
    }

    @Test("bad DORA parameters are refused", arguments: [
        (["bucket": "year"], "bucket"), (["from": "2026-10-19", "to": "2026-10-05"], "from"), (["explain": "yes"], "explain"),
        (["attributionHours": "-1"], "attributionHours"), (["services": "x"], "services"),
    ])
    func badParameters(_ arguments: [String: String], _ field: String) async throws {
        try await TestDatabase.with { db in
            let error = await #expect(throws: QueryError.self) {
                try await ReadModelQueries.find(stage: "dora", name: "report").run(QueryArguments(arguments), client: db.client)
            }
            #expect(error?.field == field)
        }
    }
}
