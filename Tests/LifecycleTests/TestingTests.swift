import Foundation
import Lifecycle
import Testing

@Suite struct TestingTests {
    static let completed = DomainEvent.testRunCompleted(
        TestRunCompleted(
            runId: "run-88", suite: "unit", sha: "9fceb02", passed: 10, failed: 0, skipped: 0, service: "checkout-api",
            occurredAt: earlier))

    @Test func completeTestRun() throws {
        let command = try decode(
            "complete-test-run",
            #"""
            {"runId": "run-88", "suite": "e2e-checkout", "sha": "9FCEB02", "buildId": "4711", "passed": 120,
             "failed": 2, "skipped": 3, "failingTests": ["pays with card", "applies voucher"],
             "durationSeconds": 301.25,
             "service": "checkout-api", "team": "payments", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "testrun-run-88")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .testRunCompleted(
                    TestRunCompleted(
                        runId: "run-88", suite: "e2e-checkout", sha: "9fceb02", buildId: "4711", passed: 120, failed: 2,
                        skipped: 3, failingTests: ["pays with card", "applies voucher"], durationSeconds: 301.25,
                        service: "checkout-api", team: "payments", occurredAt: earlier))
            ])
    }

    @Test func completeTestRunWithoutOptionalFields() throws {
        let events = try decide(
            "complete-test-run",
            #"""
            {"runId": "run-88", "suite": "unit", "sha": "9fceb02", "passed": 10, "failed": 0, "skipped": 0,
            "service": "checkout-api"}
            """#
        )
        #expect(
            events == [
                .testRunCompleted(
                    TestRunCompleted(
                        runId: "run-88", suite: "unit", sha: "9fceb02", passed: 10, failed: 0, skipped: 0,
                        failingTests: [], service: "checkout-api", occurredAt: now))
            ])
    }

    /// A body with the given counts and failing test names.
    static func run(passed: Int = 1, failed: Int = 0, skipped: Int = 0, failingTests: [String]? = nil) -> String {
        let names =
            failingTests.map { #", "failingTests": [\#($0.map { "\"\($0)\"" }.joined(separator: ", "))]"# } ?? ""
        return
            #"""
            {"runId": "run-88", "suite": "unit", "sha": "9fceb02", "passed": \#(passed), "failed": \#(failed),
            "skipped": \#(skipped)\#(names), "service": "checkout-api"}
            """#
    }

    static let refusals: [Refusal] = [
        Refusal("test_run_already_completed", "complete-test-run", run(), given: [completed]),
        Refusal("negative_count", field: "passed", "complete-test-run", run(passed: -1)),
        Refusal("negative_count", field: "failed", "complete-test-run", run(failed: -2)),
        Refusal("negative_count", field: "skipped", "complete-test-run", run(skipped: -3)),
        Refusal("invalid_field", field: "failingTests", "complete-test-run", run(failed: 1, failingTests: ["a", "b"])),
        Refusal(
            "invalid_field", field: "failingTests", "complete-test-run",
            run(failed: 2000, failingTests: (0...1000).map { "test \($0)" })),
        Refusal(
            "invalid_field", field: "failingTests[1]", "complete-test-run",
            #"""
            {"runId": "r", "suite": "unit", "sha": "9fceb02", "passed": 0, "failed": 2, "skipped": 0,
            "failingTests": ["a", 2], "service": "s"}
            """#
        ),
        Refusal(
            "invalid_field", field: "suite", "complete-test-run",
            #"{"runId": "r", "suite": "", "sha": "9fceb02", "passed": 0, "failed": 0, "skipped": 0, "service": "s"}"#),
        Refusal(
            "invalid_field", field: "suite", "complete-test-run",
            #"""
            {"runId": "r", "suite": "\#(String(repeating: "s", count: 201))", "sha": "9fceb02", "passed": 0,
            "failed": 0, "skipped": 0, "service": "s"}
            """#
        ),
        Refusal(
            "missing_field", field: "skipped", "complete-test-run",
            #"{"runId": "r", "suite": "unit", "sha": "9fceb02", "passed": 0, "failed": 0, "service": "s"}"#),
        Refusal(
            "invalid_field", field: "buildId", "complete-test-run",
            #"""
            {"runId": "r", "suite": "unit", "sha": "9fceb02", "buildId": "build 1", "passed": 0, "failed": 0,
            "skipped": 0, "service": "s"}
            """#
        ),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func failingTestsMayBeCutShortButNotExceedFailed() throws {
        let events = try decide("complete-test-run", Self.run(failed: 3, failingTests: ["a", "b", "c"]))
        #expect(events.count == 1)
        #expect(try decide("complete-test-run", Self.run(failed: 3, failingTests: ["a"])).count == 1)
        let thousand = (1...1000).map { "t\($0)" }
        #expect(try decide("complete-test-run", Self.run(failed: 1000, failingTests: thousand)).count == 1)
    }

    @Test func evolveFoldsATestRun() {
        #expect(
            fold([Self.completed])
                == StreamState(entity: .testRun(TestRunState(runId: "run-88", isGreen: true)), version: 1))
    }
}
