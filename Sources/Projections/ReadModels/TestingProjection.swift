public import EventStore
import Lifecycle
import Postgres

/// Testing: every test run, and the tests that failed in it. Pass rates, flaky tests and the
/// slowest suites are queries over them (`TestingQueries`).
public struct TestingProjection: Projection {
    public init() {}

    public var name: String { "testing" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("testing") }
    public var indexesFile: SchemaFile? { .indexes("testing") }

    public var eventTypes: Set<String> { ["TestRunCompleted"] }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        guard case .testRunCompleted(let event) = projected.event else { return [] }
        let run = ProjectionWrite.create(
            table: "runs",
            columns: ["run_id", "suite", "sha", "build_id", "service", "team", "passed", "failed", "skipped", "duration_seconds",
                      "completed_at", "position"],
            values: [event.runId, event.suite, event.sha, event.buildId, event.service, event.team, event.passed, event.failed,
                     event.skipped, event.durationSeconds, event.occurredAt, projected.position])
        // A test that failed twice in one run is one row.
        let failures = Set(event.failingTests).sorted().map { test in
            ProjectionWrite.create(table: "failures", columns: ["run_id", "test_name"], values: [event.runId, test])
        }
        return [run] + failures
    }
}
