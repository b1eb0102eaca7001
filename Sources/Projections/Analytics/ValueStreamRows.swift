/// The value stream of every story as rows: one row per story in `planning.stories`, with the
/// figures `ValueStreamQuery` gives that story for environment `production` (the same rules and
/// the same rounding; see docs/read-models.md, "Value stream of a story").
///
/// The rows are the view `analytics.value_stream` (`schema/views/value_stream.sql`, which explains
/// how it works on sets), exported as the dataset `value-stream`. These are its columns, in order.
public enum ValueStreamRows {
    public static let columns = [
        "story_id", "title", "service", "team", "status", "priority", "created_at", "started_at",
        "final_sha", "commits", "built_at", "tested_at", "production_at", "released_at",
        "plan_hours", "code_hours", "build_hours", "test_hours", "deploy_hours", "release_hours",
        "bottleneck", "lead_time_hours", "incidents", "feedback", "improvements",
    ]
}
