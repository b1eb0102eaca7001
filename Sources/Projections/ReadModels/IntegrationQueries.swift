import Foundation
import Postgres

/// The questions the Integration read model answers (see docs/read-models.md).
enum IntegrationQueries {
    static let all: [ReadModelQuery] = [commitsPerDay, builds, passRate, buildTime, redMain]

    static let scoped = PlanningQueries.scoped
    static let build = """
        json_build_object('buildId', build_id, 'sha', sha, 'service', service, 'team', team, 'status', status,
            'startedAt', started_at, 'finishedAt', finished_at, 'durationSeconds', duration_seconds, 'reason', reason)
        """

    /// `[from, to)` from the arguments: default the 30 days up to now.
    static func window(_ arguments: QueryArguments, days: Double = 30) throws -> (Date, Date) {
        let to = try arguments.time("to") ?? Date()
        let from = try arguments.time("from") ?? to.addingTimeInterval(-days * 86_400)
        guard from < to else { throw QueryError(code: "invalid_parameter", message: "from must be before to", field: "from") }
        return (from, to)
    }

    /// `?from=&to=&service=&team=`: commits integrated per service and UTC day.
    static let commitsPerDay = ReadModelQuery(stage: "integration", name: "commits-per-day", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try window(arguments)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('days', coalesce(json_agg(json_build_object('day', day, 'service', service, 'commits', n)
                                                               ORDER BY day, service), '[]'))::text
              FROM (SELECT to_char(integrated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, service, count(*) AS n
                      FROM integration.commits
                     WHERE \(scoped) AND integrated_at >= $3 AND integrated_at < $4
                     GROUP BY 1, 2) d
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?status=&service=&team=&limit=`: builds, latest first.
    static let builds = ReadModelQuery(stage: "integration", name: "builds", parameters: ["status", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('builds', coalesce(json_agg(\(build) ORDER BY coalesce(finished_at, started_at) DESC, build_id), '[]'))::text
              FROM (SELECT * FROM integration.builds WHERE \(scoped) AND ($3::text IS NULL OR status = $3)
                     ORDER BY coalesce(finished_at, started_at) DESC, build_id LIMIT $4) b
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.choice("status", ["running", "passed", "failed"]),
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: finished builds, passed and failed, and the pass rate, overall
    /// and per service.
    static let passRate = ReadModelQuery(stage: "integration", name: "pass-rate", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try window(arguments)
        return try ReadModelQuery.json(connection,
            """
            WITH b AS (SELECT service, status FROM integration.builds
                        WHERE \(scoped) AND status IN ('passed', 'failed') AND finished_at >= $3 AND finished_at < $4)
            SELECT json_build_object(
                'finished', (SELECT count(*) FROM b),
                'passed', (SELECT count(*) FROM b WHERE status = 'passed'),
                'failed', (SELECT count(*) FROM b WHERE status = 'failed'),
                'passRate', (SELECT round(avg((status = 'passed')::int)::numeric, 4) FROM b),
                'byService', coalesce((SELECT json_agg(json_build_object('service', service, 'finished', n, 'passed', p,
                                                                         'passRate', round(p::numeric / n, 4)) ORDER BY service)
                                         FROM (SELECT service, count(*) AS n, count(*) FILTER (WHERE status = 'passed') AS p
                                                 FROM b GROUP BY service) s), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?from=&to=&service=&team=`: median (and p90) build time in seconds of the builds that
    /// finished in the window with a known duration, overall and per service.
    static let buildTime = ReadModelQuery(stage: "integration", name: "build-time", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try window(arguments)
        return try ReadModelQuery.json(connection,
            """
            WITH b AS (SELECT service, duration_seconds AS s FROM integration.builds
                        WHERE \(scoped) AND status IN ('passed', 'failed') AND duration_seconds IS NOT NULL
                          AND finished_at >= $3 AND finished_at < $4)
            SELECT json_build_object(
                'builds', (SELECT count(*) FROM b),
                'medianSeconds', (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 2) FROM b),
                'p90Seconds', (SELECT round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s)::numeric, 2) FROM b),
                'byService', coalesce((SELECT json_agg(json_build_object('service', service, 'builds', n, 'medianSeconds', m) ORDER BY service)
                                         FROM (SELECT service, count(*) AS n,
                                                      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 2) AS m
                                                 FROM b GROUP BY service) g), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?branch=main&service=&team=`: red streaks of a branch's builds per service: from the
    /// first failed build after a pass to the next pass (`greenAt`, null while still red), with
    /// the failures in between and the time back to green.
    static let redMain = ReadModelQuery(stage: "integration", name: "red-main", parameters: ["branch", "service", "team"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            WITH b AS (SELECT b.service, b.status, b.finished_at, b.build_id
                         FROM integration.builds b JOIN integration.commits c ON c.sha = b.sha
                        WHERE ($1::text IS NULL OR b.service = $1) AND ($2::text IS NULL OR b.team = $2)
                          AND c.branch = $3 AND b.status IN ('passed', 'failed')),
                 g AS (SELECT *, count(*) FILTER (WHERE status = 'passed')
                                   OVER (PARTITION BY service ORDER BY finished_at, build_id) AS streak FROM b),
                 s AS (SELECT service, streak, min(finished_at) AS red_since, count(*) AS failures
                         FROM g WHERE status = 'failed' GROUP BY service, streak),
                 r AS (SELECT s.*, (SELECT min(finished_at) FROM g WHERE g.service = s.service AND g.streak = s.streak + 1) AS green_at
                         FROM s)
            SELECT json_build_object(
                'branch', $3::text,
                'red', coalesce((SELECT json_agg(json_build_object('service', service, 'redSince', red_since, 'failures', failures)
                                                 ORDER BY service) FROM r WHERE green_at IS NULL), '[]'),
                'streaks', coalesce((SELECT json_agg(json_build_object('service', service, 'redSince', red_since, 'greenAt', green_at,
                                                                       'failures', failures,
                                                                       'hoursToGreen', round((extract(epoch FROM green_at - red_since) / 3600)::numeric, 2))
                                                     ORDER BY red_since, service) FROM r), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), arguments.text("branch") ?? "main"])
    }
}
