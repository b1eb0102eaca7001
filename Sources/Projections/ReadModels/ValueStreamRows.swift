// TEMPORARY placeholder until the set-based query lands (replaced in this session).
public enum ValueStreamRows {
    public static let columns = ["story_id", "title", "service", "team", "status", "priority", "created_at", "started_at", "final_sha",
        "commits", "built_at", "tested_at", "production_at", "released_at", "plan_hours", "code_hours", "build_hours", "test_hours",
        "deploy_hours", "release_hours", "bottleneck", "lead_time_hours", "incidents", "feedback", "improvements"]
    public static let sql = "SELECT story_id, title, service, team, status, priority, created_at, started_at, NULL::text AS final_sha, 0 AS commits, NULL::timestamptz AS built_at, NULL::timestamptz AS tested_at, NULL::timestamptz AS production_at, NULL::timestamptz AS released_at, NULL::numeric AS plan_hours, NULL::numeric AS code_hours, NULL::numeric AS build_hours, NULL::numeric AS test_hours, NULL::numeric AS deploy_hours, NULL::numeric AS release_hours, NULL::text AS bottleneck, NULL::numeric AS lead_time_hours, 0 AS incidents, 0 AS feedback, 0 AS improvements FROM planning.stories"
}
