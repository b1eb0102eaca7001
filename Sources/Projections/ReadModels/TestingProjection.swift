import Lifecycle
import Postgres

/// Testing: every test run, and the tests that failed in it. Pass rates, flaky tests and the
/// slowest suites are queries over them (`TestingQueries`).
public struct TestingProjection: Projection {
    public init() {}

    public var name: String { "testing" }
    public var version: Int { 2 }

    public var tablesSQL: String {
        """
        CREATE TABLE runs (
            run_id           text COLLATE "C" PRIMARY KEY,
            suite            text COLLATE "C" NOT NULL,
            sha              text COLLATE "C" NOT NULL,
            build_id         text COLLATE "C",
            service          text COLLATE "C" NOT NULL,
            team             text COLLATE "C",
            passed           integer NOT NULL,
            failed           integer NOT NULL,
            skipped          integer NOT NULL,
            duration_seconds double precision,
            completed_at     timestamptz NOT NULL,
            position         bigint NOT NULL
        );

        CREATE TABLE failures (
            run_id    text COLLATE "C" NOT NULL,
            test_name text COLLATE "C" NOT NULL,
            PRIMARY KEY (run_id, test_name)
        );
        """
    }

    public var indexes: [String] {
        [
            "CREATE INDEX runs_suite_sha_idx ON runs (service, suite, sha)",
            "CREATE INDEX runs_completed_at_idx ON runs (completed_at)",
            "CREATE INDEX failures_test_idx ON failures (test_name)",
            "ALTER TABLE failures ADD FOREIGN KEY (run_id) REFERENCES runs",
        ]
    }

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
