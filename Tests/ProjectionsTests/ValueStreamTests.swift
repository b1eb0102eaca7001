import Foundation
import LooplineTestSupport
import Projections
import Testing

@Suite("Value stream of a story")
struct ValueStreamTests {
    typealias JSON = [String: Any]

    /// One story from plan to feedback: two commits name it, a later commit of its service
    /// reaches production, a release, an incident, feedback and an improvement follow.
    static func history(_ h: ProjectionHarness) async throws {
        try await h.send("create-story", #"{"storyId": "VS-1", "title": "Export", "service": "web", "occurredAt": "2026-10-05T09:00:00Z"}"#)
        try await h.send("start-story", #"{"storyId": "VS-1", "service": "web", "occurredAt": "2026-10-05T13:00:00Z"}"#)
        try await h.send("integrate-commit", #"{"sha": "d0000001", "message": "VS-1 first cut", "service": "web", "occurredAt": "2026-10-06T10:00:00Z"}"#)
        try await h.send("integrate-commit", #"{"sha": "d0000002", "storyIds": ["VS-1"], "service": "web", "occurredAt": "2026-10-06T16:00:00Z"}"#)
        try await h.send("integrate-commit", #"{"sha": "d0000003", "message": "OTHER-9", "service": "web", "occurredAt": "2026-10-07T09:00:00Z"}"#)
        try await h.send("fail-build", #"{"buildId": "bvs1", "sha": "d0000002", "service": "web", "occurredAt": "2026-10-06T16:20:00Z"}"#)
        try await h.send("pass-build", #"{"buildId": "bvs2", "sha": "d0000002", "service": "web", "occurredAt": "2026-10-06T17:00:00Z"}"#)
        try await h.send("complete-test-run", #"{"runId": "tvs1", "suite": "unit", "sha": "d0000002", "passed": 5, "failed": 0, "skipped": 0, "service": "web", "occurredAt": "2026-10-06T18:30:00Z"}"#)
        try await h.send("succeed-deployment", #"{"deploymentId": "dep-s", "environment": "staging", "sha": "d0000002", "service": "web", "occurredAt": "2026-10-06T20:00:00Z"}"#)
        try await h.send("succeed-deployment", #"{"deploymentId": "dep-p", "environment": "production", "sha": "d0000003", "service": "web", "occurredAt": "2026-10-07T18:30:00Z"}"#)
        try await h.send("publish-release", #"{"releaseId": "rel-vs", "version": "1.2.0", "deploymentIds": ["dep-p"], "service": "web", "occurredAt": "2026-10-08T09:00:00Z"}"#)
        try await h.send("open-incident", #"{"incidentId": "inc-vs", "title": "Slow export", "severity": 3, "deploymentId": "dep-p", "service": "web", "occurredAt": "2026-10-08T10:00:00Z"}"#)
        try await h.send("receive-feedback", #"{"feedbackId": "fb-vs", "source": "support", "rating": 2, "storyId": "VS-1", "service": "web", "occurredAt": "2026-10-08T12:00:00Z"}"#)
        try await h.send("propose-improvement", #"{"improvementId": "imp-vs", "title": "Stream exports", "feedbackId": "fb-vs", "service": "web", "occurredAt": "2026-10-09T12:00:00Z"}"#)
    }

    @Test("a story's commits, builds, tests, deployments, release, incident and feedback, with each step's time and the bottleneck")
    func story() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let stream = try await h.query("value-stream", "story", ["storyId": "VS-1"])
                #expect((stream["commits"] as? [JSON])?.map { $0["sha"] as? String } == ["d0000001", "d0000002"], "by message and by storyIds")
                #expect(stream["finalCommit"] as? String == "d0000002")
                #expect((stream["builds"] as? [JSON])?.map { $0["buildId"] as? String } == ["bvs1", "bvs2"])
                #expect((stream["testRuns"] as? [JSON])?.count == 1)
                #expect((stream["environments"] as? [JSON])?.map { "\($0["environment"]!) \($0["deploymentId"]!)" } == ["staging dep-s", "production dep-p"],
                        "production reached by a later commit's deployment")
                #expect((stream["releases"] as? [JSON])?.map { $0["releaseId"] as? String } == ["rel-vs"])
                #expect((stream["incidents"] as? [JSON])?.map { $0["incidentId"] as? String } == ["inc-vs"])
                #expect((stream["feedback"] as? [JSON])?.map { $0["feedbackId"] as? String } == ["fb-vs"])
                #expect((stream["improvements"] as? [JSON])?.map { $0["improvementId"] as? String } == ["imp-vs"])
                // plan 9:00→13:00 (4 h); code →16:00 next day (27 h); build →17:00 (1 h);
                // test →18:30 (1.5 h); deploy →18:30 next day (24 h); release →09:00 (14.5 h).
                let steps = try #require(stream["steps"] as? [JSON])
                #expect(steps.map { "\($0["step"]!) \(($0["hours"] as? NSNumber)?.doubleValue ?? -1)" } == [
                    "plan 4.0", "code 27.0", "build 1.0", "test 1.5", "deploy 24.0", "release 14.5",
                ])
                #expect(stream["bottleneck"] as? String == "code")
                #expect(stream["leadTimeHours"] as? Double == 57.5)
                #expect((stream["asOf"] as? JSON)?["planning"] as? Int != nil)

                let missing = await #expect(throws: QueryError.self) { try await h.query("value-stream", "story", ["storyId": "NOPE-1"]) }
                #expect(missing?.code == "story_not_found")
            }
        }
    }
}
