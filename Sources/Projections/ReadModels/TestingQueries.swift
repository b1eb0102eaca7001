import Foundation
import Postgres

/// The questions the Testing read model answers (see docs/read-models.md).
enum TestingQueries {
    static let all: [ReadModelQuery] = [runs, passRate, flaky, slowest]

    static let scoped = PlanningQueries.scoped

    /// `?suite=&service=&team=&limit=`: test runs, latest first, with their failing tests.
    static let runs = ReadModelQuery(stage: "testing", name: "runs", parameters: ["suite", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('runs', coalesce(json_agg(json_build_object(
                       'runId', run_id, 'suite', suite, 'sha', sha, 'buildId', build_id, 'service', service, 'team', team,
                       'passed', passed, 'failed', failed, 'skipped', skipped, 'durationSeconds', duration_seconds,
                       'completedAt', completed_at,
                       'failingTests', coalesce((SELECT json_agg(test_name ORDER BY test_name) FROM testing.failures f
                                                  WHERE f.run_id = r.run_id), '[]'))
                   ORDER BY completed_at DESC, run_id), '[]'))::text
              FROM (SELECT * FROM testing.runs WHERE \(scoped) AND ($3::text IS NULL OR suite = $3)
                     ORDER BY completed_at DESC, run_id LIMIT $4) r
            """,
            [arguments.text("service"), arguments.text("team"), arguments.text("suite"),
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: per suite, runs and the share that passed (no failed test).
    static let passRate = ReadModelQuery(stage: "testing", name: "pass-rate", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments)
        return try ReadModelQuery.json(connection,
            """
            WITH r AS (SELECT service, suite, failed FROM testing.runs
                        WHERE \(scoped) AND completed_at >= $3 AND completed_at < $4)
            SELECT json_build_object(
                'runs', (SELECT count(*) FROM r),
                'passRate', (SELECT round(avg((failed = 0)::int)::numeric, 4) FROM r),
                'suites', coalesce((SELECT json_agg(json_build_object('service', service, 'suite', suite, 'runs', n,
                                                                      'passRate', round(p::numeric / n, 4)) ORDER BY service, suite)
                                      FROM (SELECT service, suite, count(*) AS n, count(*) FILTER (WHERE failed = 0) AS p
                                              FROM r GROUP BY service, suite) s), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?service=&team=&limit=`: flaky tests: a test that failed in one run of its suite and did
    /// not fail in another run of the same suite on the same commit. Most flaky commits first.
    static let flaky = ReadModelQuery(stage: "testing", name: "flaky", parameters: ["service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            WITH flaky AS (
                SELECT r.service, r.suite, f.test_name, r.sha, max(r.completed_at) AS last_seen
                  FROM testing.failures f JOIN testing.runs r ON r.run_id = f.run_id
                 WHERE ($1::text IS NULL OR r.service = $1) AND ($2::text IS NULL OR r.team = $2)
                   AND EXISTS (SELECT 1 FROM testing.runs other
                                WHERE other.service = r.service AND other.suite = r.suite AND other.sha = r.sha
                                  AND other.run_id <> r.run_id
                                  AND NOT EXISTS (SELECT 1 FROM testing.failures o
                                                   WHERE o.run_id = other.run_id AND o.test_name = f.test_name))
                 GROUP BY r.service, r.suite, f.test_name, r.sha)
            SELECT json_build_object('tests', coalesce(json_agg(json_build_object(
                       'service', service, 'suite', suite, 'test', test_name, 'commits', commits, 'lastSeen', last_seen)
                   ORDER BY commits DESC, service, suite, test_name), '[]'))::text
              FROM (SELECT service, suite, test_name, count(*) AS commits, max(last_seen) AS last_seen
                      FROM flaky GROUP BY service, suite, test_name
                     ORDER BY commits DESC, service, suite, test_name LIMIT $3) t
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("limit", default: 50, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=&limit=`: suites by median run time, slowest first.
    static let slowest = ReadModelQuery(stage: "testing", name: "slowest-suites", parameters: ["from", "to", "service", "team", "limit"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('suites', coalesce(json_agg(json_build_object(
                       'service', service, 'suite', suite, 'runs', n, 'medianSeconds', m, 'maxSeconds', mx)
                   ORDER BY m DESC, service, suite), '[]'))::text
              FROM (SELECT service, suite, count(*) AS n,
                           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_seconds)::numeric, 2) AS m,
                           round(max(duration_seconds)::numeric, 2) AS mx
                      FROM testing.runs
                     WHERE \(scoped) AND duration_seconds IS NOT NULL AND completed_at >= $3 AND completed_at < $4
                     GROUP BY service, suite ORDER BY m DESC, service, suite LIMIT $5) s
            """,
            [arguments.text("service"), arguments.text("team"), from, to, try arguments.integer("limit", default: 10, range: 1...1000)])
    }
}
