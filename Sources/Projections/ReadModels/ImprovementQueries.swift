import Foundation
import Postgres

/// The questions the Improvement read model answers (see docs/read-models.md).
enum ImprovementQueries {
    static let all: [ReadModelQuery] = [list, timeToAction]

    static let scoped = PlanningQueries.scoped

    /// The improvements with their trigger: `feedback`, `incident` or `none`, and when it happened.
    static let withTrigger = """
        SELECT i.*, CASE WHEN i.feedback_id IS NOT NULL THEN 'feedback' WHEN i.incident_id IS NOT NULL THEN 'incident'
                         ELSE 'none' END AS trigger, t.occurred_at AS triggered_at
          FROM improvement.improvements i
          LEFT JOIN improvement.triggers t
            ON (t.kind = 'feedback' AND t.id = i.feedback_id) OR (i.feedback_id IS NULL AND t.kind = 'incident' AND t.id = i.incident_id)
        """

    /// `?status=proposed|completed&trigger=feedback|incident|none&service=&team=&limit=`:
    /// improvements, latest proposed first.
    static let list = ReadModelQuery(stage: "improvement", name: "improvements", parameters: ["status", "trigger", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('improvements', coalesce(json_agg(json_build_object(
                       'improvementId', improvement_id, 'title', title, 'service', service, 'team', team,
                       'status', CASE WHEN completed_at IS NULL THEN 'proposed' ELSE 'completed' END,
                       'trigger', trigger, 'feedbackId', feedback_id, 'incidentId', incident_id, 'triggeredAt', triggered_at,
                       'proposedAt', proposed_at, 'completedAt', completed_at, 'outcome', outcome)
                   ORDER BY proposed_at DESC, improvement_id), '[]'))::text
              FROM (SELECT * FROM (\(withTrigger)) i
                     WHERE \(scoped) AND ($3::text IS NULL OR ($3 = 'completed') = (completed_at IS NOT NULL))
                       AND ($4::text IS NULL OR trigger = $4)
                     ORDER BY proposed_at DESC, improvement_id LIMIT $5) i
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.choice("status", ["proposed", "completed"]),
             try arguments.choice("trigger", ["feedback", "incident", "none"]), try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: for improvements proposed in the window, per trigger: how
    /// many, how many completed, and the median hours from the trigger to the proposal and to
    /// completion.
    static let timeToAction = ReadModelQuery(stage: "improvement", name: "time-to-action", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments, days: 90)
        return try ReadModelQuery.json(connection,
            """
            WITH i AS (SELECT trigger, completed_at IS NOT NULL AS done,
                              extract(epoch FROM proposed_at - triggered_at) / 3600.0 AS to_proposal,
                              extract(epoch FROM completed_at - triggered_at) / 3600.0 AS to_completion
                         FROM (\(withTrigger)) i
                        WHERE \(scoped) AND proposed_at >= $3 AND proposed_at < $4)
            SELECT json_build_object('triggers', coalesce(json_agg(json_build_object(
                       'trigger', trigger, 'proposed', n, 'completed', done,
                       'medianHoursToProposal', p, 'medianHoursToCompletion', c) ORDER BY trigger), '[]'))::text
              FROM (SELECT trigger, count(*) AS n, count(*) FILTER (WHERE done) AS done,
                           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_proposal)::numeric, 2) AS p,
                           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_completion)::numeric, 2) AS c
                      FROM i GROUP BY trigger) t
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }
}
