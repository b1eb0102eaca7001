public import Foundation
public import Postgres

/// The DORA report as a table for BI tools (`loopline export dora`): one row per time bucket
/// and scope (overall, each service, each team), with the same figures and tiers as
/// `GET /v1/dora` (see docs/read-models.md for the definitions). Columns are only ever added at
/// the end, so a BI tool reading them by position keeps working.
public enum DORATable {
    public static let columns = [
        "bucket_start", "bucket_end", "scope", "name", "deployments", "deployments_per_day", "deployment_frequency_tier",
        "lead_time_commits", "lead_time_median_hours", "lead_time_p90_hours", "lead_time_tier", "failed_changes",
        "change_failure_rate", "change_failure_tier", "recoveries", "recovery_median_hours", "recovery_tier",
        "rework_deployments", "rework_rate", "tier", "deployment_attempts", "failed_attempts",
    ]

    /// A cell: kept typed, so CSV and JSON Lines each write it their way.
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case time(Date)
        case null
    }

    /// The rows, from facts read at one snapshot, and the positions of their sources in it.
    public static func rows(_ query: DORAQuery, connection: Connection) throws -> (positions: [String: Int64], rows: [[Value]]) {
        let facts = try DORAFacts.read(query, connection: connection)
        return (facts.positions, DORACalculator(facts: facts, query: query).table().map { row in
            let m = row.metrics
            return [
                .time(row.start), .time(row.end), .text(row.scope), text(row.name),
                count(m.deploymentFrequency.deployments), .number(m.deploymentFrequency.perDay), .text(m.deploymentFrequency.tier),
                count(m.leadTime.commits), number(m.leadTime.medianHours), number(m.leadTime.p90Hours), text(m.leadTime.tier),
                count(m.changeFailureRate.failedChanges), number(m.changeFailureRate.rate), text(m.changeFailureRate.tier),
                count(m.recoveryTime.recoveries), number(m.recoveryTime.medianHours), text(m.recoveryTime.tier),
                count(m.reworkRate.reworkDeployments), number(m.reworkRate.rate), text(m.tier),
                count(m.changeFailureRate.attempts), count(m.changeFailureRate.failedAttempts),
            ]
        })
    }

    private static func text(_ value: String?) -> Value { value.map(Value.text) ?? .null }
    private static func number(_ value: Double?) -> Value { value.map(Value.number) ?? .null }
    private static func count(_ value: Int) -> Value { .number(Double(value)) }
}
