import Foundation
import Postgres

/// The questions the Monitoring read model answers (see docs/read-models.md).
enum MonitoringQueries {
    static let all: [ReadModelQuery] = [breaches, breachesPerService, incidents, timeToRestore]

    static let scoped = PlanningQueries.scoped

    /// `?active=true|false&service=&team=&limit=`: breaches, latest first (only the open ones by default).
    static let breaches = ReadModelQuery(stage: "monitoring", name: "breaches", parameters: ["active", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('breaches', coalesce(json_agg(json_build_object(
                       'service', service, 'team', team, 'metric', metric, 'environment', environment,
                       'value', value, 'threshold', threshold, 'deploymentId', deployment_id, 'breachedAt', breached_at,
                       'recoveredAt', recovered_at, 'recoveredValue', recovered_value)
                   ORDER BY breached_at DESC, breach_id DESC), '[]'))::text
              FROM (SELECT * FROM monitoring.breaches
                     WHERE \(scoped) AND ($3::text = 'false' OR recovered_at IS NULL)
                     ORDER BY breached_at DESC, breach_id DESC LIMIT $4) b
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.choice("active", ["true", "false"]) ?? "true",
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: breaches that began in the window, per service and metric.
    static let breachesPerService = ReadModelQuery(stage: "monitoring", name: "breaches-per-service", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments)
        return try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('services', coalesce(json_agg(json_build_object(
                       'service', service, 'breaches', n, 'active', active, 'metrics', metrics) ORDER BY n DESC, service), '[]'))::text
              FROM (SELECT service, count(*) AS n, count(*) FILTER (WHERE recovered_at IS NULL) AS active,
                           json_agg(DISTINCT metric) AS metrics
                      FROM monitoring.breaches
                     WHERE \(scoped) AND breached_at >= $3 AND breached_at < $4
                     GROUP BY service) s
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }

    /// `?status=open|resolved&service=&team=&limit=`: incidents, latest opened first.
    static let incidents = ReadModelQuery(stage: "monitoring", name: "incidents", parameters: ["status", "service", "team", "limit"]) { arguments, connection in
        try ReadModelQuery.json(connection,
            """
            SELECT json_build_object('incidents', coalesce(json_agg(json_build_object(
                       'incidentId', incident_id, 'service', service, 'team', team, 'title', title, 'severity', severity,
                       'deploymentId', deployment_id, 'rootCauseSha', root_cause_sha, 'openedAt', opened_at,
                       'resolvedAt', resolved_at, 'resolution', resolution,
                       'hoursToRestore', round((extract(epoch FROM resolved_at - opened_at) / 3600)::numeric, 2))
                   ORDER BY opened_at DESC, incident_id), '[]'))::text
              FROM (SELECT * FROM monitoring.incidents
                     WHERE \(scoped) AND ($3::text IS NULL OR ($3 = 'open') = (resolved_at IS NULL))
                     ORDER BY opened_at DESC, incident_id LIMIT $4) i
            """,
            [arguments.text("service"), arguments.text("team"), try arguments.choice("status", ["open", "resolved"]),
             try arguments.integer("limit", default: 100, range: 1...1000)])
    }

    /// `?from=&to=&service=&team=`: time to restore (opened to resolved, hours) of the incidents
    /// resolved in the window: median, p90 and mean, overall and per service.
    static let timeToRestore = ReadModelQuery(stage: "monitoring", name: "time-to-restore", parameters: ["from", "to", "service", "team"]) { arguments, connection in
        let (from, to) = try IntegrationQueries.window(arguments, days: 90)
        return try ReadModelQuery.json(connection,
            """
            WITH i AS (SELECT service, extract(epoch FROM resolved_at - opened_at) / 3600.0 AS hours FROM monitoring.incidents
                        WHERE \(scoped) AND opened_at IS NOT NULL AND resolved_at >= $3 AND resolved_at < $4)
            SELECT json_build_object(
                'incidents', (SELECT count(*) FROM i),
                'medianHours', (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 2) FROM i),
                'p90Hours', (SELECT round(percentile_cont(0.9) WITHIN GROUP (ORDER BY hours)::numeric, 2) FROM i),
                'meanHours', (SELECT round(avg(hours)::numeric, 2) FROM i),
                'byService', coalesce((SELECT json_agg(json_build_object('service', service, 'incidents', n, 'medianHours', m) ORDER BY service)
                                         FROM (SELECT service, count(*) AS n,
                                                      round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours)::numeric, 2) AS m
                                                 FROM i GROUP BY service) s), '[]'))::text
            """,
            [arguments.text("service"), arguments.text("team"), from, to])
    }
}
