public import EventStore
import Foundation
import Lifecycle
import Postgres

/// Integration: commits and builds. Commits per day, pass rate, build times and red-main
/// streaks are queries over them (`IntegrationQueries`).
public struct IntegrationProjection: Projection {
    public init() {}

    public var name: String { "integration" }
    public var version: Int { 2 }

    public var tablesFile: SchemaFile { .tables("integration") }
    public var indexesFile: SchemaFile? { .indexes("integration") }

    public var eventTypes: Set<String> { ["CommitIntegrated", "BuildStarted", "BuildPassed", "BuildFailed"] }

    /// A build's outcome: it creates the build when CI reported no start.
    static func finish(
        _ projected: ProjectedEvent, _ buildId: String, _ sha: String, _ service: String, _ team: String?, _ status: String,
        _ at: Date, _ seconds: Double?, _ reason: String?
    ) -> ProjectionWrite {
        let columns = ["build_id", "sha", "service", "team", "status", "finished_at", "duration_seconds", "reason", "position"]
        let values: [(any PostgresEncodable)?] = [buildId, sha, service, team, status, at, seconds, reason, projected.position]
        guard projected.streamVersion > 1 else { return .create(table: "builds", columns: columns, values: values) }
        return .update(
            table: "builds", key: ["build_id"],
            set: """
                sha = v.sha, service = v.service, team = v.team, status = v.status, finished_at = v.finished_at,
                duration_seconds = coalesce(v.duration_seconds, extract(epoch FROM v.finished_at - t.started_at)),
                reason = v.reason, position = v.position
                """,
            columns: columns, values: values)
    }

    public func writes(for projected: ProjectedEvent) -> [ProjectionWrite] {
        let position = projected.position
        switch projected.event {
        case .commitIntegrated(let event):
            return [.create(
                table: "commits",
                columns: ["sha", "service", "team", "branch", "author", "message", "story_ids", "pull_request", "integrated_at", "position"],
                values: [event.sha, event.service, event.team, event.branch, event.author, event.message,
                         PostgresTextArray(event.storyIds), event.pullRequest, event.occurredAt, position])]
        case .buildStarted(let event):
            // A build's stream starts with its start (a start after the outcome is refused).
            return [.create(
                table: "builds", columns: ["build_id", "sha", "service", "team", "status", "started_at", "position"],
                values: [event.buildId, event.sha, event.service, event.team, "running", event.occurredAt, position])]
        case .buildPassed(let event):
            return [Self.finish(
                projected, event.buildId, event.sha, event.service, event.team, "passed", event.occurredAt, event.durationSeconds, nil)]
        case .buildFailed(let event):
            return [Self.finish(
                projected, event.buildId, event.sha, event.service, event.team, "failed", event.occurredAt, event.durationSeconds,
                event.reason)]
        default:
            return []
        }
    }
}
