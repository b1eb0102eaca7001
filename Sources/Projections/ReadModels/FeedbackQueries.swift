import Foundation
import Postgres

/// The questions the Feedback read model answers (see docs/read-models.md).
enum FeedbackQueries {
    static let all: [ReadModelQuery] = [list, bySource, trend, unansweredNegative]

    static let scoped = PlanningQueries.scoped
    static let item = """
        json_build_object('feedbackId', feedback_id, 'source', source, 'rating', rating, 'text', text,
            'storyId', story_id, 'releaseId', release_id, 'service', service, 'team', team, 'receivedAt', received_at,
            'improvementId', improvement_id, 'answeredAt', answered_at)
        """

    /// `?source=&rating=&storyId=&releaseId=&service=&team=&limit=`: feedback, latest first.
    static let list = ReadModelQuery(stage: "feedback", name: "feedback", parameters: ["source", "rating", "storyId", "releaseId", "service", "team", "limit"]) { arguments, connection in
        let rating = arguments.values["rating"] == nil ? nil : try arguments.integer("rating", default: 0, range: 1...5)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('feedback', coalesce(json_agg(\(item) ORDER BY received_at DESC, feedback_id), '[]'))::text
              FROM (SELECT * FROM feedback.feedback
                     WHERE \(scoped) AND ($3::text IS NULL OR source = $3) AND ($4::int IS NULL OR rating = $4)
                       AND ($5::text IS NULL OR story_id = $5) AND ($6::text IS NULL OR release_id = $6)
                     ORDER BY received_at DESC, feedback_id LIMIT $7) f
            """,
            [arguments.text("service"), arguments.text("team"), arguments.text("source"), rating, arguments.text("storyId"),
             arguments.text("releaseId"), try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: per source, the count, the mean rating and how many of
    /// each rating.
    static let bySource = ReadModelQuery(stage: "feedback", name: "by-source", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments, days: 90)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('sources', coalesce(json_agg(json_build_object(
                       'source', source, 'count', n, 'meanRating', mean,
                       'ratings', json_build_object('1', r1, '2', r2, '3', r3, '4', r4, '5', r5)) ORDER BY source), '[]'))::text
              FROM (SELECT source, count(*) AS n, round(avg(rating)::numeric, 2) AS mean,
                           count(*) FILTER (WHERE rating = 1) AS r1, count(*) FILTER (WHERE rating = 2) AS r2,
                           count(*) FILTER (WHERE rating = 3) AS r3, count(*) FILTER (WHERE rating = 4) AS r4,
                           count(*) FILTER (WHERE rating = 5) AS r5
                      FROM feedback.feedback WHERE \(scoped) AND received_at >= $3 AND received_at < $4
                     GROUP BY source) s
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?weeks=12&to=&service=&team=`: the mean rating per ISO week (UTC), empty weeks included
    /// (null mean).
    static let trend = ReadModelQuery(stage: "feedback", name: "rating-trend", parameters: ["weeks", "to", "service", "team"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            WITH last AS (SELECT date_trunc('week', coalesce($4::timestamptz, now()) AT TIME ZONE 'UTC') AS week),
                 weeks AS (SELECT generate_series(last.week - ($3::int - 1) * interval '1 week', last.week, interval '1 week') AS week
                             FROM last)
            SELECT json_build_object('weeks', json_agg(json_build_object(
                       'weekStart', to_char(w.week, 'YYYY-MM-DD'), 'count', coalesce(f.n, 0), 'meanRating', f.mean)
                   ORDER BY w.week))::text
              FROM weeks w
              LEFT JOIN (SELECT date_trunc('week', received_at AT TIME ZONE 'UTC') AS week, count(*) AS n,
                                round(avg(rating)::numeric, 2) AS mean
                           FROM feedback.feedback WHERE \(scoped) GROUP BY 1) f ON f.week = w.week
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("weeks", default: 12, range: 1...104),
             try arguments.time("to")])
    }

    /// `?service=&team=&limit=`: negative feedback (rating 1 or 2) no improvement answers yet,
    /// oldest first.
    static let unansweredNegative = ReadModelQuery(stage: "feedback", name: "unanswered-negative", parameters: ["service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('feedback', coalesce(json_agg(\(item) ORDER BY received_at, feedback_id), '[]'))::text
              FROM (SELECT * FROM feedback.feedback WHERE \(scoped) AND rating <= 2 AND improvement_id IS NULL
                     ORDER BY received_at, feedback_id LIMIT $3) f
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.integer("limit", default: 100, range: 1...1000)])
    }
}
