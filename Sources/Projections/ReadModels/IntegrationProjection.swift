import Lifecycle
public import Postgres

/// Integration: commits and builds. Commits per day, pass rate, build times and red-main
/// streaks are queries over them (`IntegrationQueries`).
public struct IntegrationProjection: Projection {
    public init() {}

    public var name: String { "integration" }
    public var version: Int { 1 }

    public var tablesSQL: String {
        """
        CREATE TABLE commits (
            sha           text PRIMARY KEY,
            service       text NOT NULL,
            team          text,
            branch        text NOT NULL,
            author        text,
            message       text,
            story_ids     text[] NOT NULL,
            pull_request  text,
            integrated_at timestamptz NOT NULL,
            position      bigint NOT NULL
        );
        CREATE INDEX commits_service_time_idx ON commits (service, integrated_at);
        CREATE INDEX commits_story_ids_idx ON commits USING gin (story_ids);

        CREATE TABLE builds (
            build_id         text PRIMARY KEY,
            sha              text NOT NULL,
            service          text NOT NULL,
            team             text,
            -- running, passed, failed
            status           text NOT NULL,
            started_at       timestamptz,
            finished_at      timestamptz,
            -- As reported, else finished_at - started_at when both are known.
            duration_seconds double precision,
            reason           text,
            position         bigint NOT NULL
        );
        CREATE INDEX builds_service_finished_idx ON builds (service, finished_at);
        CREATE INDEX builds_sha_idx ON builds (sha);
        """
    }

    public var eventTypes: Set<String> { ["CommitIntegrated", "BuildStarted", "BuildPassed", "BuildFailed"] }

    static let finishBuild = """
        INSERT INTO builds (build_id, sha, service, team, status, finished_at, duration_seconds, reason, position)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (build_id) DO UPDATE SET sha = $2, service = $3, team = $4, status = $5, finished_at = $6,
            duration_seconds = coalesce($7, extract(epoch FROM $6 - builds.started_at)), reason = $8, position = $9
        """

    public func statements(for projected: ProjectedEvent) -> [Statement] {
        let position = projected.position
        switch projected.event {
        case .commitIntegrated(let event):
            return [Statement(
                """
                INSERT INTO commits (sha, service, team, branch, author, message, story_ids, pull_request, integrated_at, position)
                VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10)
                ON CONFLICT (sha) DO UPDATE SET service = $2, team = $3, branch = $4, author = $5, message = $6,
                    story_ids = $7::text[], pull_request = $8, integrated_at = $9, position = $10
                """,
                [event.sha, event.service, event.team, event.branch, event.author, event.message,
                 PostgresTextArray(event.storyIds), event.pullRequest, event.occurredAt, position])]
        case .buildStarted(let event):
            return [Statement(
                """
                INSERT INTO builds (build_id, sha, service, team, status, started_at, position)
                VALUES ($1, $2, $3, $4, 'running', $5, $6)
                ON CONFLICT (build_id) DO UPDATE SET started_at = $5, position = $6
                """,
                [event.buildId, event.sha, event.service, event.team, event.occurredAt, position])]
        case .buildPassed(let event):
            return [Statement(Self.finishBuild, [
                event.buildId, event.sha, event.service, event.team, "passed", event.occurredAt, event.durationSeconds, nil, position])]
        case .buildFailed(let event):
            return [Statement(Self.finishBuild, [
                event.buildId, event.sha, event.service, event.team, "failed", event.occurredAt, event.durationSeconds, event.reason,
                position])]
        default:
            return []
        }
    }
}
