/// One table of analytics data: a read model's rows as BI tools see them. Each dataset is both
/// a view in the `analytics` schema (`analytics.stories`) and an export
/// (`loopline export planning-stories`, `GET /v1/exports/planning-stories.csv`), from one
/// definition, so the two never disagree. The columns are a public contract: see
/// docs/exports.md before changing one.
public struct AnalyticsDataset: Sendable {
    /// The export's name, `STAGE-MODEL` (`planning-stories`).
    public let name: String
    /// The view's name in the `analytics` schema.
    public let view: String
    /// The read models (schemas) it reads: the view exists while all of them do.
    public let projections: [String]
    /// What a row is, for the view's comment and the docs.
    public let summary: String
    public let columns: [Column]
    /// The relation the columns are selected from (schema-qualified tables, or a subquery).
    public let source: String
    /// The key the export is ordered by, so two exports of the same state are identical.
    public let order: String
    /// The time `--from`/`--to` filter on.
    public let timeColumn: String

    public struct Column: Sendable {
        public enum Kind: Sendable { case text, number, time, list }
        public let name: String
        public let kind: Kind
        /// The SQL expression over `source` (usually the name itself).
        public let expression: String

        init(_ name: String, _ kind: Kind = .text, _ expression: String? = nil) {
            self.name = name
            self.kind = kind
            self.expression = expression ?? name
        }
    }

    /// Whether rows carry `position` (the last log position applied to them), so an export can
    /// hold only the rows changed after a position: an incremental, upsert-style load.
    public var hasPosition: Bool { columns.contains { $0.name == "position" } }

    /// The dataset as one SELECT: the view's definition, and what exports read.
    public var select: String {
        "SELECT \(columns.map { $0.expression == $0.name ? $0.name : "\($0.expression) AS \($0.name)" }.joined(separator: ", ")) FROM \(source)"
    }
}

extension AnalyticsDataset {
    /// Every dataset, in stage order.
    public static let all: [AnalyticsDataset] = [
        AnalyticsDataset(
            name: "planning-stories", view: "stories", projections: ["planning"],
            summary: "One row per story: its status, priority and the times it moved.",
            columns: [
                .init("story_id"), .init("title"), .init("service"), .init("team"), .init("priority", .number), .init("status"),
                .init("created_at", .time), .init("prioritized_at", .time), .init("started_at", .time),
                .init("completed_at", .time), .init("cancelled_at", .time), .init("cancel_reason"), .init("position", .number),
            ],
            source: "planning.stories", order: "story_id", timeColumn: "created_at"),
        AnalyticsDataset(
            name: "integration-commits", view: "commits", projections: ["integration"],
            summary: "One row per integrated commit, with the stories it names.",
            columns: [
                .init("sha"), .init("service"), .init("team"), .init("branch"), .init("author"), .init("message"),
                .init("story_ids", .list), .init("pull_request"), .init("integrated_at", .time), .init("position", .number),
            ],
            source: "integration.commits", order: "sha", timeColumn: "integrated_at"),
        AnalyticsDataset(
            name: "integration-builds", view: "builds", projections: ["integration"],
            summary: "One row per build: status and duration.",
            columns: [
                .init("build_id"), .init("sha"), .init("service"), .init("team"), .init("status"), .init("started_at", .time),
                .init("finished_at", .time), .init("duration_seconds", .number), .init("reason"), .init("position", .number),
            ],
            source: "integration.builds", order: "build_id", timeColumn: "finished_at"),
        AnalyticsDataset(
            name: "testing-runs", view: "test_runs", projections: ["testing"],
            summary: "One row per completed test-suite run.",
            columns: [
                .init("run_id"), .init("suite"), .init("sha"), .init("build_id"), .init("service"), .init("team"),
                .init("passed", .number), .init("failed", .number), .init("skipped", .number),
                .init("duration_seconds", .number), .init("completed_at", .time), .init("position", .number),
            ],
            source: "testing.runs", order: "run_id", timeColumn: "completed_at"),
        AnalyticsDataset(
            name: "testing-failures", view: "test_failures", projections: ["testing"],
            summary: "One row per failed test of a run.",
            columns: [
                .init("run_id", .text, "f.run_id"), .init("test_name"), .init("suite"), .init("sha"), .init("service"),
                .init("team"), .init("completed_at", .time), .init("position", .number),
            ],
            source: "testing.failures f JOIN testing.runs r ON r.run_id = f.run_id", order: "run_id, test_name",
            timeColumn: "completed_at"),
        AnalyticsDataset(
            name: "delivery-deployments", view: "deployments", projections: ["delivery"],
            summary: "One row per deployment to any environment, with its outcome and any rollback.",
            columns: [
                .init("deployment_id"), .init("service"), .init("team"), .init("environment"), .init("sha"),
                .init("build_id"), .init("version"), .init("status"), .init("started_at", .time), .init("finished_at", .time),
                .init("duration_seconds", .number), .init("reason"), .init("rolled_back_at", .time),
                .init("rollback_reason"), .init("rolled_back_to_version"), .init("rolled_back_to_sha"), .init("position", .number),
            ],
            source: "delivery.deployments", order: "deployment_id", timeColumn: "finished_at"),
        AnalyticsDataset(
            name: "delivery-releases", view: "releases", projections: ["delivery"],
            summary: "One row per published release.",
            columns: [
                .init("release_id"), .init("version"), .init("sha"), .init("service"), .init("team"),
                .init("deployment_ids", .list), .init("notes"), .init("published_at", .time), .init("position", .number),
            ],
            source: "delivery.releases", order: "release_id", timeColumn: "published_at"),
        AnalyticsDataset(
            name: "monitoring-breaches", view: "breaches", projections: ["monitoring"],
            summary: "One row per metric breach, open (recovered_at empty) or recovered.",
            columns: [
                .init("breach_id", .number), .init("service"), .init("team"), .init("metric"), .init("environment"),
                .init("value", .number), .init("threshold", .number), .init("deployment_id"), .init("breached_at", .time),
                .init("recovered_at", .time), .init("recovered_value", .number),
            ],
            source: "monitoring.breaches", order: "breach_id", timeColumn: "breached_at"),
        AnalyticsDataset(
            name: "monitoring-incidents", view: "incidents", projections: ["monitoring"],
            summary: "One row per incident, open or resolved, with its links.",
            columns: [
                .init("incident_id"), .init("service"), .init("team"), .init("title"), .init("severity", .number),
                .init("deployment_id"), .init("root_cause_sha"), .init("opened_at", .time), .init("resolved_at", .time),
                .init("resolution"), .init("position", .number),
            ],
            source: "monitoring.incidents", order: "incident_id", timeColumn: "opened_at"),
        AnalyticsDataset(
            name: "feedback-feedback", view: "feedback", projections: ["feedback"],
            summary: "One row per piece of feedback, with its links and the improvement that answered it.",
            columns: [
                .init("feedback_id"), .init("source"), .init("rating", .number), .init("text"), .init("story_id"),
                .init("release_id"), .init("service"), .init("team"), .init("received_at", .time), .init("improvement_id"),
                .init("answered_at", .time), .init("position", .number),
            ],
            source: "feedback.feedback", order: "feedback_id", timeColumn: "received_at"),
        AnalyticsDataset(
            name: "improvement-improvements", view: "improvements", projections: ["improvement"],
            summary: "One row per improvement action, with what triggered it.",
            columns: [
                .init("improvement_id"), .init("title"), .init("service"), .init("team"), .init("feedback_id"),
                .init("incident_id"), .init("proposed_at", .time), .init("completed_at", .time), .init("outcome"),
                .init("position", .number),
            ],
            source: "improvement.improvements", order: "improvement_id", timeColumn: "proposed_at"),
        AnalyticsDataset(
            name: "value-stream", view: "value_stream",
            projections: ["planning", "integration", "testing", "delivery", "monitoring", "feedback", "improvement"],
            summary: "One row per story: when it was built, tested, reached production and was released, the hours of each step, and the bottleneck.",
            columns: ValueStreamRows.columns.map { name in
                .init(name, name.hasSuffix("_at") ? .time : name.hasSuffix("_hours") || ["priority", "commits", "incidents", "feedback", "improvements"].contains(name) ? .number : .text)
            },
            source: "(\(ValueStreamRows.sql)) v", order: "story_id", timeColumn: "created_at"),
    ]

    /// The dataset called `name`, or nil.
    public static func named(_ name: String) -> AnalyticsDataset? { all.first { $0.name == name } }
}
