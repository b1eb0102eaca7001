public import EventStore

/// One table of analytics data: a read model's rows as BI tools see them. Each dataset is a
/// view in the `analytics` schema (`analytics.stories`, defined in `schema/views/stories.sql`)
/// and an export (`loopline export planning-stories`, `GET /v1/exports/planning-stories.csv`)
/// that reads that view, so the two never disagree. The columns are a public contract: see
/// docs/exports.md before changing one.
public struct AnalyticsDataset: Sendable {
    /// The export's name, `STAGE-MODEL` (`planning-stories`).
    public let name: String
    /// The view's name in the `analytics` schema, and of its file in `schema/views/`.
    public let view: String
    /// The read models (schemas) it reads: the view exists while all of them do.
    public let projections: [String]
    /// The view's columns, in its order, with how exports format them.
    public let columns: [Column]
    /// The key the export is ordered by, so two exports of the same state are identical.
    public let order: String
    /// The time `--from`/`--to` filter on.
    public let timeColumn: String

    public struct Column: Sendable {
        public enum Kind: Sendable { case text, number, time, list }
        public let name: String
        public let kind: Kind

        init(_ name: String, _ kind: Kind = .text) {
            self.name = name
            self.kind = kind
        }
    }

    /// The file that defines the view.
    public var viewFile: SchemaFile { .view(view) }

    /// Whether rows carry `position` (the last log position applied to them), so an export can
    /// hold only the rows changed after a position: an incremental, upsert-style load.
    public var hasPosition: Bool { columns.contains { $0.name == "position" } }
}

extension AnalyticsDataset {
    /// Every dataset, in stage order.
    public static let all: [AnalyticsDataset] = [
        AnalyticsDataset(
            name: "planning-stories", view: "stories", projections: ["planning"],
            columns: [
                .init("story_id"), .init("title"), .init("service"), .init("team"), .init("priority", .number), .init("status"),
                .init("created_at", .time), .init("prioritized_at", .time), .init("started_at", .time),
                .init("completed_at", .time), .init("cancelled_at", .time), .init("cancel_reason"), .init("position", .number),
            ],
            order: "story_id", timeColumn: "created_at"),
        AnalyticsDataset(
            name: "integration-commits", view: "commits", projections: ["integration"],
            columns: [
                .init("sha"), .init("service"), .init("team"), .init("branch"), .init("author"), .init("message"),
                .init("story_ids", .list), .init("pull_request"), .init("integrated_at", .time), .init("position", .number),
            ],
            order: "sha", timeColumn: "integrated_at"),
        AnalyticsDataset(
            name: "integration-builds", view: "builds", projections: ["integration"],
            columns: [
                .init("build_id"), .init("sha"), .init("service"), .init("team"), .init("status"), .init("started_at", .time),
                .init("finished_at", .time), .init("duration_seconds", .number), .init("reason"), .init("position", .number),
            ],
            order: "build_id", timeColumn: "finished_at"),
        AnalyticsDataset(
            name: "testing-runs", view: "test_runs", projections: ["testing"],
            columns: [
                .init("run_id"), .init("suite"), .init("sha"), .init("build_id"), .init("service"), .init("team"),
                .init("passed", .number), .init("failed", .number), .init("skipped", .number),
                .init("duration_seconds", .number), .init("completed_at", .time), .init("position", .number),
            ],
            order: "run_id", timeColumn: "completed_at"),
        AnalyticsDataset(
            name: "testing-failures", view: "test_failures", projections: ["testing"],
            columns: [
                .init("run_id"), .init("test_name"), .init("suite"), .init("sha"), .init("service"),
                .init("team"), .init("completed_at", .time), .init("position", .number),
            ],
            order: "run_id, test_name", timeColumn: "completed_at"),
        AnalyticsDataset(
            name: "delivery-deployments", view: "deployments", projections: ["delivery"],
            columns: [
                .init("deployment_id"), .init("service"), .init("team"), .init("environment"), .init("sha"),
                .init("build_id"), .init("version"), .init("status"), .init("started_at", .time), .init("finished_at", .time),
                .init("duration_seconds", .number), .init("reason"), .init("rolled_back_at", .time),
                .init("rollback_reason"), .init("rolled_back_to_version"), .init("rolled_back_to_sha"), .init("position", .number),
            ],
            order: "deployment_id", timeColumn: "finished_at"),
        AnalyticsDataset(
            name: "delivery-releases", view: "releases", projections: ["delivery"],
            columns: [
                .init("release_id"), .init("version"), .init("sha"), .init("service"), .init("team"),
                .init("deployment_ids", .list), .init("notes"), .init("published_at", .time), .init("position", .number),
            ],
            order: "release_id", timeColumn: "published_at"),
        AnalyticsDataset(
            name: "monitoring-breaches", view: "breaches", projections: ["monitoring"],
            columns: [
                .init("breach_id", .number), .init("service"), .init("team"), .init("metric"), .init("environment"),
                .init("value", .number), .init("threshold", .number), .init("deployment_id"), .init("breached_at", .time),
                .init("recovered_at", .time), .init("recovered_value", .number),
            ],
            order: "breach_id", timeColumn: "breached_at"),
        AnalyticsDataset(
            name: "monitoring-incidents", view: "incidents", projections: ["monitoring"],
            columns: [
                .init("incident_id"), .init("service"), .init("team"), .init("title"), .init("severity", .number),
                .init("deployment_id"), .init("root_cause_sha"), .init("opened_at", .time), .init("resolved_at", .time),
                .init("resolution"), .init("position", .number),
            ],
            order: "incident_id", timeColumn: "opened_at"),
        AnalyticsDataset(
            name: "feedback-feedback", view: "feedback", projections: ["feedback"],
            columns: [
                .init("feedback_id"), .init("source"), .init("rating", .number), .init("text"), .init("story_id"),
                .init("release_id"), .init("service"), .init("team"), .init("received_at", .time), .init("improvement_id"),
                .init("answered_at", .time), .init("position", .number),
            ],
            order: "feedback_id", timeColumn: "received_at"),
        AnalyticsDataset(
            name: "improvement-improvements", view: "improvements", projections: ["improvement"],
            columns: [
                .init("improvement_id"), .init("title"), .init("service"), .init("team"), .init("feedback_id"),
                .init("incident_id"), .init("proposed_at", .time), .init("completed_at", .time), .init("outcome"),
                .init("position", .number),
            ],
            order: "improvement_id", timeColumn: "proposed_at"),
        AnalyticsDataset(
            name: "value-stream", view: "value_stream",
            projections: ["planning", "integration", "testing", "delivery", "monitoring", "feedback", "improvement"],
            columns: ValueStreamRows.columns.map { name in
                .init(name, name.hasSuffix("_at") ? .time : name.hasSuffix("_hours") || ["priority", "commits", "incidents", "feedback", "improvements"].contains(name) ? .number : .text)
            },
            order: "story_id", timeColumn: "created_at"),
    ]

    /// The dataset called `name`, or nil.
    public static func named(_ name: String) -> AnalyticsDataset? { all.first { $0.name == name } }
}
