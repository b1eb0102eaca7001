import Foundation
import Lifecycle
import Postgres

/// Integration: commits and builds. Commits per day, pass rate, build times and red-main
/// streaks are queries over them (`IntegrationQueries`).
public struct IntegrationProjection: Projection {
    public init() {}

    public var name: String { "integration" }
    public var version: Int { 2 }

    public var tablesSQL: String {
        """
        CREATE TABLE commits (
            sha           text COLLATE "C" PRIMARY KEY,
            service       text COLLATE "C" NOT NULL,
            team          text COLLATE "C",
            branch        text COLLATE "C" NOT NULL,
            author        text COLLATE "C",
            message       text COLLATE "C",
            story_ids     text[] COLLATE "C" NOT NULL,
            pull_request  text COLLATE "C",
            integrated_at timestamptz NOT NULL,
            position      bigint NOT NULL
        );

        CREATE TABLE builds (
            build_id         text COLLATE "C" PRIMARY KEY,
            sha              text COLLATE "C" NOT NULL,
            service          text COLLATE "C" NOT NULL,
            team             text COLLATE "C",
            -- running, passed, failed
            status           text COLLATE "C" NOT NULL,
            started_at       timestamptz,
            finished_at      timestamptz,
            -- As reported, else finished_at - started_at when both are known.
            duration_seconds double precision,
            reason           text COLLATE "C",
            position         bigint NOT NULL
        );
        """
    }

    public var indexes: [String] {
        [
            "CREATE INDEX commits_service_time_idx ON commits (service, integrated_at)",
            "CREATE INDEX commits_story_ids_idx ON commits USING gin (story_ids)",
            "CREATE INDEX builds_service_finished_idx ON builds (service, finished_at)",
            "CREATE INDEX builds_sha_idx ON builds (sha)",
        ]
    }

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
