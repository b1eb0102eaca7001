import Foundation
import Postgres

/// The questions the Planning read model answers (see docs/read-models.md).
enum PlanningQueries {
    static let all: [ReadModelQuery] = [stories, backlog, wip, throughput, cycleTime]

    /// One story as JSON.
    static let story = """
        json_build_object('storyId', story_id, 'title', title, 'service', service, 'team', team,
            'priority', priority, 'status', status, 'createdAt', created_at, 'prioritizedAt', prioritized_at,
            'startedAt', started_at, 'completedAt', completed_at, 'cancelledAt', cancelled_at,
            'cancelReason', cancel_reason)
        """
    /// The service and team filters, as parameters $1 and $2.
    static let scoped = "($1::text IS NULL OR service = $1) AND ($2::text IS NULL OR team = $2)"

    /// `?status=&service=&team=&limit=`: stories, newest first.
    static let stories = ReadModelQuery(stage: "planning", name: "stories", parameters: ["status", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('stories', coalesce(json_agg(\(story) ORDER BY created_at DESC, story_id), '[]'))::text
              FROM (SELECT * FROM planning.stories WHERE \(scoped) AND ($3::text IS NULL OR status = $3)
                     ORDER BY created_at DESC, story_id LIMIT $4) s
            """,
            [arguments.text("service"), arguments.text("team"),
             try arguments.choice("status", ["backlog", "in_progress", "done", "cancelled"]),
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?service=&team=&limit=`: the backlog, highest priority first, then oldest first.
    static let backlog = ReadModelQuery(stage: "planning", name: "backlog", parameters: ["service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('stories', coalesce(json_agg(\(story) ORDER BY priority, created_at, story_id), '[]'))::text
              FROM (SELECT * FROM planning.stories WHERE \(scoped) AND status = 'backlog'
                     ORDER BY priority, created_at, story_id LIMIT $3) s
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?service=&team=`: work in progress: started, neither done nor cancelled.
    static let wip = ReadModelQuery(stage: "planning", name: "wip", parameters: ["service", "team"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            WITH s AS (SELECT * FROM planning.stories WHERE \(scoped) AND status = 'in_progress')
            SELECT json_build_object(
                'total', (SELECT count(*) FROM s),
                'byService', coalesce((SELECT json_agg(json_build_object('service', service, 'count', n) ORDER BY n DESC, service)
                                         FROM (SELECT service, count(*) AS n FROM s GROUP BY service) g), '[]'),
                'stories', coalesce((SELECT json_agg(\(story) ORDER BY started_at, story_id) FROM s), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team")])
    }

    /// `?weeks=12&to=&service=&team=`: stories completed per ISO week (Monday, UTC), the
    /// last `weeks` weeks up to the one holding `to` (default now), empty weeks included.
    static let throughput = ReadModelQuery(stage: "planning", name: "throughput", parameters: ["weeks", "to", "service", "team"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            WITH last AS (SELECT date_trunc('week', coalesce($4::timestamptz, now()) AT TIME ZONE 'UTC') AS week),
                 weeks AS (SELECT generate_series(last.week - ($3::int - 1) * interval '1 week', last.week, interval '1 week') AS week
                             FROM last)
            SELECT json_build_object('weeks', json_agg(json_build_object(
                       'weekStart', to_char(w.week, 'YYYY-MM-DD'),
                       'completed', (SELECT count(*) FROM planning.stories
                                      WHERE \(scoped) AND status = 'done'
                                        AND completed_at AT TIME ZONE 'UTC' >= w.week
                                        AND completed_at AT TIME ZONE 'UTC' < w.week + interval '1 week'))
                   ORDER BY w.week))::text
              FROM weeks w
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("weeks", default: 12, range: 1...104),
             try arguments.time("to")])
    }

    /// `?from=&to=&service=&team=`: cycle time (started to completed, in hours) of the
    /// stories completed in [from, to) (default: the 90 days up to now), p50 and p85,
    /// overall and per service. Stories completed without a recorded start are left out.
    static let cycleTime = ReadModelQuery(stage: "planning", name: "cycle-time", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let to = try arguments.time("to") ?? Date()
        let from = try arguments.time("from") ?? to.addingTimeInterval(-90 * 86_400)
        guard from < to else { throw QueryError(code: "invalid_parameter", message: "from must be before to", field: "from") }
        return try ReadModelQuery.json(connection,
            """
            WITH s AS (SELECT service, extract(epoch FROM completed_at - started_at) / 3600.0 AS hours
                         FROM planning.stories
                        WHERE \(scoped) AND status = 'done' AND started_at IS NOT NULL
                          AND completed_at >= $3 AND completed_at < $4)
            SELECT json_build_object(
                'from', $3::timestamptz, 'to', $4::timestamptz,
                'count', (SELECT count(*) FROM s),
                'p50Hours', (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 2) FROM s),
                'p85Hours', (SELECT round(percentile_cont(0.85) WITHIN GROUP (ORDER BY hours)::numeric, 2) FROM s),
                'byService', coalesce((SELECT json_agg(json_build_object('service', service, 'count', n, 'p50Hours', p50, 'p85Hours', p85) ORDER BY service)
                                         FROM (SELECT service, count(*) AS n,
                                                      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 2) AS p50,
                                                      round(percentile_cont(0.85) WITHIN GROUP (ORDER BY hours)::numeric, 2) AS p85
                                                 FROM s GROUP BY service) g), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }
}
