/// Testing decisions: a test run is recorded once.
extension CompleteTestRun {
    func decide(_ state: StreamState, _ context: DecisionContext) throws(DomainError) -> [DomainEvent] {
        guard !state.exists else {
            throw DomainError(code: "test_run_already_completed", message: "test run \(runId) is already recorded")
        }
        return [
            .testRunCompleted(
                TestRunCompleted(
                    runId: runId, suite: suite, sha: sha, buildId: buildId, passed: passed, failed: failed,
                    skipped: skipped, failingTests: failingTests ?? [], durationSeconds: durationSeconds,
                    service: service, team: team, occurredAt: context.occurredAt))
        ]
    }
}
