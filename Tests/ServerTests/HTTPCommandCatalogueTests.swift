import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

/// Every command's happy path and every rule's refusal, through the live HTTP API and the
/// real PostgreSQL. Each stage is a script of steps run in order against one server; each
/// step states the status, the error code or the event types it must produce.
@Suite("HTTP API: every command and every rule")
struct HTTPCommandCatalogueTests {
    struct Step: Sendable {
        var command: String
        var body: String
        var status: Int
        /// The error code of a refusal, or the event types of a success.
        var expect: [String]

        static func ok(_ command: String, _ body: String, _ events: String...) -> Step {
            Step(command: command, body: body, status: 201, expect: events)
        }

        static func refused(_ command: String, _ body: String, _ status: Int, _ code: String) -> Step {
            Step(command: command, body: body, status: status, expect: [code])
        }
    }

    static let planning: [Step] = [
        .ok("create-story", #"{"storyId": "PROJ-12", "title": "Sign-in with SSO", "priority": 2, "service": "web", "team": "identity"}"#, "StoryCreated"),
        .refused("create-story", #"{"storyId": "PROJ-12", "title": "Again", "service": "web"}"#, 409, "story_exists"),
        .refused("create-story", #"{"storyId": "PROJ-13", "title": "Odd", "priority": 9, "service": "web"}"#, 422, "priority_out_of_range"),
        .ok("prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#, "StoryPrioritized"),
        .refused("prioritize-story", #"{"storyId": "NOPE-1", "priority": 1, "service": "web"}"#, 409, "story_not_found"),
        .refused("prioritize-story", #"{"storyId": "PROJ-12", "priority": 0, "service": "web"}"#, 422, "priority_out_of_range"),
        .ok("start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, "StoryStarted"),
        .refused("start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, 409, "story_already_started"),
        .refused("start-story", #"{"storyId": "NOPE-1", "service": "web"}"#, 409, "story_not_found"),
        .ok("complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#, "StoryCompleted"),
        .refused("complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#, 409, "story_already_completed"),
        .refused("complete-story", #"{"storyId": "NOPE-1", "service": "web"}"#, 409, "story_not_found"),
        .refused("prioritize-story", #"{"storyId": "PROJ-12", "priority": 2, "service": "web"}"#, 409, "story_closed"),
        .refused("start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, 409, "story_closed"),
        .refused("cancel-story", #"{"storyId": "PROJ-12", "service": "web"}"#, 409, "story_already_completed"),
        .ok("create-story", #"{"storyId": "PROJ-20", "title": "Dropped", "service": "web"}"#, "StoryCreated"),
        .ok("cancel-story", #"{"storyId": "PROJ-20", "reason": "duplicate of PROJ-9", "service": "web"}"#, "StoryCancelled"),
        .refused("cancel-story", #"{"storyId": "PROJ-20", "service": "web"}"#, 409, "story_cancelled"),
        .refused("complete-story", #"{"storyId": "PROJ-20", "service": "web"}"#, 409, "story_cancelled"),
        .refused("cancel-story", #"{"storyId": "NOPE-1", "service": "web"}"#, 409, "story_not_found"),
        .ok("create-story", #"{"storyId": "PROJ-21", "title": "Skips start", "service": "web"}"#, "StoryCreated"),
        .ok("complete-story", #"{"storyId": "PROJ-21", "service": "web"}"#, "StoryCompleted"),
        .refused("create-story", #"{"storyId": "PROJ-22", "title": "Later", "service": "web", "occurredAt": "2999-01-01T00:00:00Z"}"#, 422, "occurred_in_future"),
        .refused("create-story", #"{"storyId": "PROJ-22", "title": "Bad team", "service": "web", "team": "Not A Team"}"#, 422, "invalid_field"),
    ]

    static let integrationAndTesting: [Step] = [
        .ok("integrate-commit", #"{"sha": "9FCEB02D0AE598E95DC970B74767F19372D61AF8", "message": "PROJ-123: fix login (also OPS-7)", "service": "checkout-api"}"#, "CommitIntegrated"),
        .refused("integrate-commit", #"{"sha": "9fceb02d0ae598e95dc970b74767f19372d61af8", "service": "checkout-api"}"#, 409, "commit_already_integrated"),
        .refused("integrate-commit", #"{"sha": "not-a-sha", "service": "checkout-api"}"#, 422, "invalid_field"),
        .ok("start-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#, "BuildStarted"),
        .refused("start-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "build_already_started"),
        .refused("pass-build", #"{"buildId": "4711", "sha": "abcdef1", "service": "checkout-api"}"#, 409, "sha_mismatch"),
        .ok("pass-build", #"{"buildId": "4711", "sha": "9fceb02", "durationSeconds": 92.5, "service": "checkout-api"}"#, "BuildPassed"),
        .refused("fail-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "build_already_finished"),
        .ok("fail-build", #"{"buildId": "4712", "sha": "9fceb02", "reason": "unit tests failed", "service": "checkout-api"}"#, "BuildFailed"),
        .refused("pass-build", #"{"buildId": "4712", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "build_already_finished"),
        .ok("complete-test-run", #"{"runId": "run-1", "suite": "unit", "sha": "9fceb02", "buildId": "4711", "passed": 120, "failed": 1, "skipped": 3, "failingTests": ["LoginTests.testSSO"], "service": "checkout-api"}"#, "TestRunCompleted"),
        .refused("complete-test-run", #"{"runId": "run-1", "suite": "unit", "sha": "9fceb02", "passed": 1, "failed": 0, "skipped": 0, "service": "checkout-api"}"#, 409, "test_run_already_completed"),
        .refused("complete-test-run", #"{"runId": "run-2", "suite": "unit", "sha": "9fceb02", "passed": -1, "failed": 0, "skipped": 0, "service": "checkout-api"}"#, 422, "negative_count"),
        .refused("complete-test-run", #"{"runId": "run-2", "suite": "unit", "sha": "9fceb02", "passed": 1, "failed": 0, "skipped": 0, "failingTests": ["A"], "service": "checkout-api"}"#, 422, "invalid_field"),
    ]

    static let delivery: [Step] = [
        .ok("fail-build", #"{"buildId": "900", "sha": "abc1234", "service": "checkout-api"}"#, "BuildFailed"),
        .ok("pass-build", #"{"buildId": "901", "sha": "9fceb02", "service": "checkout-api"}"#, "BuildPassed"),
        .refused("start-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "abc1234", "buildId": "900", "service": "checkout-api"}"#, 409, "build_failed"),
        .refused("start-deployment", #"{"deploymentId": "dep-1", "environment": "moon", "sha": "9fceb02", "service": "checkout-api"}"#, 422, "unknown_environment"),
        .ok("start-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "9fceb02", "buildId": "901", "version": "2.4.0", "service": "checkout-api"}"#, "DeploymentStarted"),
        .refused("start-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "deployment_already_started"),
        .refused("succeed-deployment", #"{"deploymentId": "dep-1", "environment": "staging", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "environment_mismatch"),
        .refused("succeed-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "1234567", "service": "checkout-api"}"#, 409, "sha_mismatch"),
        .refused("roll-back-deployment", #"{"deploymentId": "dep-1", "service": "checkout-api"}"#, 409, "deployment_not_succeeded"),
        .ok("succeed-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "9fceb02", "durationSeconds": 42, "service": "checkout-api"}"#, "DeploymentSucceeded"),
        .refused("fail-deployment", #"{"deploymentId": "dep-1", "environment": "production", "sha": "9fceb02", "service": "checkout-api"}"#, 409, "deployment_already_finished"),
        .ok("roll-back-deployment", #"{"deploymentId": "dep-1", "reason": "error rate above 5%", "toVersion": "2.3.9", "service": "checkout-api"}"#, "DeploymentRolledBack"),
        .refused("roll-back-deployment", #"{"deploymentId": "dep-1", "service": "checkout-api"}"#, 409, "deployment_already_rolled_back"),
        .refused("roll-back-deployment", #"{"deploymentId": "dep-404", "service": "checkout-api"}"#, 409, "deployment_not_found"),
        .refused("succeed-deployment", #"{"deploymentId": "dep-2", "environment": "production", "sha": "abc1234", "buildId": "900", "service": "checkout-api"}"#, 409, "build_failed"),
        .ok("fail-deployment", #"{"deploymentId": "dep-3", "environment": "staging", "sha": "9fceb02", "reason": "health check timed out", "service": "checkout-api"}"#, "DeploymentFailed"),
        .ok("publish-release", #"{"releaseId": "2024.10", "version": "2.4.0", "sha": "9fceb02", "deploymentIds": ["dep-1"], "notes": "SSO sign-in", "service": "checkout-api"}"#, "ReleasePublished"),
        .refused("publish-release", #"{"releaseId": "2024.10", "version": "2.4.0", "service": "checkout-api"}"#, 409, "release_already_published"),
    ]

    static let operations: [Step] = [
        .ok("breach-metric", #"{"metric": "http.error_rate", "value": 0.07, "threshold": 0.05, "environment": "production", "service": "checkout-api"}"#, "MetricBreached"),
        .refused("breach-metric", #"{"metric": "http.error_rate", "value": 0.09, "threshold": 0.05, "service": "checkout-api"}"#, 409, "metric_already_breached"),
        .refused("breach-metric", #"{"metric": "latency", "value": 2, "threshold": 1, "environment": "moon", "service": "checkout-api"}"#, 422, "unknown_environment"),
        .ok("recover-metric", #"{"metric": "http.error_rate", "value": 0.01, "service": "checkout-api"}"#, "MetricRecovered"),
        .refused("recover-metric", #"{"metric": "http.error_rate", "value": 0.01, "service": "checkout-api"}"#, 409, "metric_not_breached"),
        .ok("open-incident", #"{"incidentId": "INC-9", "title": "Checkout errors", "severity": 2, "deploymentId": "dep-301", "service": "checkout-api"}"#, "IncidentOpened"),
        .refused("open-incident", #"{"incidentId": "INC-9", "title": "Again", "severity": 2, "service": "checkout-api"}"#, 409, "incident_exists"),
        .refused("open-incident", #"{"incidentId": "INC-10", "title": "Odd", "severity": 7, "service": "checkout-api"}"#, 422, "severity_out_of_range"),
        .ok("resolve-incident", #"{"incidentId": "INC-9", "resolution": "rolled back dep-301", "service": "checkout-api"}"#, "IncidentResolved"),
        .refused("resolve-incident", #"{"incidentId": "INC-9", "service": "checkout-api"}"#, 409, "incident_not_open"),
        .refused("resolve-incident", #"{"incidentId": "INC-404", "service": "checkout-api"}"#, 409, "incident_not_open"),
        .ok("receive-feedback", #"{"feedbackId": "fb-77", "source": "app-store", "rating": 2, "text": "SSO loops", "storyId": "PROJ-12", "service": "checkout-api"}"#, "FeedbackReceived"),
        .refused("receive-feedback", #"{"feedbackId": "fb-77", "source": "app-store", "rating": 2, "service": "checkout-api"}"#, 409, "feedback_already_received"),
        .refused("receive-feedback", #"{"feedbackId": "fb-78", "source": "survey", "rating": 6, "service": "checkout-api"}"#, 422, "rating_out_of_range"),
        .refused("receive-feedback", #"{"feedbackId": "fb-78", "source": "survey", "rating": 0, "service": "checkout-api"}"#, 422, "rating_out_of_range"),
        .ok("propose-improvement", #"{"improvementId": "imp-5", "title": "Alert on SSO loops", "feedbackId": "fb-77", "incidentId": "INC-9", "service": "checkout-api"}"#, "ImprovementProposed"),
        .refused("propose-improvement", #"{"improvementId": "imp-5", "title": "Again", "service": "checkout-api"}"#, 409, "improvement_exists"),
        .ok("complete-improvement", #"{"improvementId": "imp-5", "outcome": "pages within a minute", "service": "checkout-api"}"#, "ImprovementCompleted"),
        .refused("complete-improvement", #"{"improvementId": "imp-5", "service": "checkout-api"}"#, 409, "improvement_already_completed"),
        .refused("complete-improvement", #"{"improvementId": "imp-404", "service": "checkout-api"}"#, 409, "improvement_not_found"),
    ]

    @Test(
        "each stage's commands succeed and each rule refuses, with the log changing only on success",
        arguments: [("planning", planning), ("integration and testing", integrationAndTesting), ("delivery", delivery), ("monitoring, feedback, improvement", operations)])
    func stage(name: String, steps: [Step]) async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let headers = ["Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json"]
                var expectedEvents = 0
                for step in steps {
                    let response = try await server.http.request(
                        "POST", "/v1/commands/\(step.command)", headers: headers, body: Data(step.body.utf8))
                    let body = try response.json()
                    #expect(response.status == step.status, "\(name): \(step.command) \(step.body) → \(response.text)")
                    if step.status == 201 {
                        let types = (body["events"] as? [[String: Any]])?.compactMap { $0["type"] as? String }
                        #expect(types == step.expect, "\(name): \(step.command)")
                        expectedEvents += step.expect.count
                    } else {
                        #expect((body["error"] as? [String: Any])?["code"] as? String == step.expect.first, "\(name): \(step.command) \(step.body)")
                    }
                    let count = try await db.eventCount()
                    #expect(count == expectedEvents, "\(name): after \(step.command)")
                }
            }
        }
    }

    @Test("commit messages name their stories; the event keeps the lowercase SHA")
    func commitLinks() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let response = try await server.http.request(
                    "POST", "/v1/commands/integrate-commit",
                    headers: ["Authorization": "Bearer \(try await server.token([.ingest]))"],
                    body: Data(#"{"sha": "ABCDEF1", "message": "PROJ-123: fix login (also OPS-7)", "storyIds": ["WEB-1"], "service": "web"}"#.utf8))
                #expect(response.status == 201)
                let event = try #require(try await db.store.read(stream: try StreamName("commit-abcdef1")).first)
                let data = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
                #expect(data["storyIds"] as? [String] == ["OPS-7", "PROJ-123", "WEB-1"])
                #expect(data["sha"] as? String == "abcdef1")
            }
        }
    }
}
