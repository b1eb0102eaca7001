import Foundation

/// The DORA figures for one set of deployments and delivered commits, with their tiers.
///
/// Tiers follow the thresholds of the 2023 Accelerate State of DevOps report (Google Cloud,
/// DORA): see docs/read-models.md. Rework rate has no published tiers.
struct DORAMetrics: Encodable {
    struct Frequency: Encodable {
        var deployments: Int
        var perDay: Double
        var tier: String
    }
    struct LeadTime: Encodable {
        var commits: Int
        var medianHours: Double?
        var p90Hours: Double?
        var tier: String?
    }
    /// Over every window deployment, successful or not: the attempts, where deployment frequency
    /// and rework count only the successful ones.
    struct FailureRate: Encodable {
        var failedChanges: Int
        var attempts: Int
        /// Attempts whose status is `failed`: they never went out.
        var failedAttempts: Int
        /// Deprecated: the same as `attempts`, kept for one version for clients that read it.
        var deployments: Int
        var rate: Double?
        var tier: String?
    }
    struct Recovery: Encodable {
        var recoveries: Int
        var medianHours: Double?
        var tier: String?
    }
    struct Rework: Encodable {
        var reworkDeployments: Int
        var deployments: Int
        var rate: Double?
    }

    var deploymentFrequency: Frequency
    var leadTime: LeadTime
    var changeFailureRate: FailureRate
    var recoveryTime: Recovery
    var reworkRate: Rework
    /// The lowest tier among the four keys.
    var tier: String?

    static let tiers = ["elite", "high", "medium", "low"]

    init(_ deployments: [DORACalculator.Judged], _ deliveries: [DORAFacts.Delivery], days: Double) {
        let successful = deployments.filter(\.deployment.succeeded)
        let perDay = Double(successful.count) / max(days, 1e-9)
        deploymentFrequency = Frequency(
            deployments: successful.count, perDay: Self.round4(perDay),
            tier: perDay >= 1 ? "elite" : perDay >= 1.0 / 7 ? "high" : perDay >= 1.0 / 30 ? "medium" : "low")

        let hours = deliveries.map(\.hours).sorted()
        let median = Self.percentile(hours, 0.5)
        leadTime = LeadTime(
            commits: hours.count, medianHours: median.map(Self.round2), p90Hours: Self.percentile(hours, 0.9).map(Self.round2),
            tier: median.map { $0 < 24 ? "elite" : $0 < 168 ? "high" : $0 < 720 ? "medium" : "low" })

        let failed = deployments.filter(\.failedChange)
        let rate = deployments.isEmpty ? nil : Double(failed.count) / Double(deployments.count)
        changeFailureRate = FailureRate(
            failedChanges: failed.count, attempts: deployments.count,
            failedAttempts: deployments.count { $0.deployment.status == "failed" }, deployments: deployments.count,
            rate: rate.map(Self.round4),
            tier: rate.map { $0 <= 0.05 ? "elite" : $0 <= 0.10 ? "high" : $0 <= 0.15 ? "medium" : "low" })

        let recoveries = failed.compactMap(\.recoveryHours).sorted()
        let recoveryMedian = Self.percentile(recoveries, 0.5)
        recoveryTime = Recovery(
            recoveries: recoveries.count, medianHours: recoveryMedian.map(Self.round2),
            tier: recoveryMedian.map { $0 < 1 ? "elite" : $0 < 24 ? "high" : $0 < 168 ? "medium" : "low" })

        let rework = successful.filter(\.rework).count
        reworkRate = Rework(
            reworkDeployments: rework, deployments: successful.count,
            rate: successful.isEmpty ? nil : Self.round4(Double(rework) / Double(successful.count)))

        let present = [deploymentFrequency.tier, leadTime.tier, changeFailureRate.tier, recoveryTime.tier].compactMap { $0 }
        tier = present.max { Self.tiers.firstIndex(of: $0)! < Self.tiers.firstIndex(of: $1)! }
    }

    /// Linear interpolation between the closest ranks, as PostgreSQL's `percentile_cont`.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = fraction * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (rank - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    static func round4(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}

/// The JSON shape of a DORA report.
struct DORAReportBody: Encodable {
    struct Attribution: Encodable {
        var windowHours: Int
        var rules: [String]

        init(windowHours: Int, environment: String) {
            self.windowHours = windowHours
            rules = [
                "deployment_link: the incident names its deployment",
                "root_cause_sha: the first successful \(environment) deployment that contained the incident's root-cause commit",
                "recent_deployment: otherwise, the latest successful \(environment) deployment of the incident's service within windowHours before it opened",
            ]
        }
    }
    struct Group: Encodable {
        var name: String
        var metrics: DORAMetrics
    }
    struct Bucket: Encodable {
        var start: Date
        var metrics: DORAMetrics
    }
    struct Explanation: Encodable {
        struct Deployment: Encodable {
            var deploymentId, service: String
            var team: String?
            var sha, status: String
            var finishedAt: Date
            var failedChange: Bool
            var reasons, incidents: [String]
            var recoveryHours: Double?
            var rework: Bool
        }
        struct Commit: Encodable {
            var sha, service: String
            var integratedAt, deliveredAt: Date
            var deploymentId: String
            var leadTimeHours: Double
        }
        struct Incident: Encodable {
            var incidentId, service: String
            var openedAt: Date
            var resolvedAt: Date?
            var deploymentId: String?
            var rule: String
            /// Whether it made a deployment of the report a failed change.
            var counted: Bool
        }
        var deployments: [Deployment]
        var commits: [Commit]
        var incidents: [Incident]
    }

    var from, to: Date
    var environment, bucket: String
    var attribution: Attribution
    /// The read models the report was computed from and the log position each had applied in
    /// its snapshot: a client that sent an event at P knows the report includes it when all are ≥ P.
    var readModels: [String: Int64]
    var overall: DORAMetrics
    var services, teams: [Group]
    var series: [Bucket]
    var explain: Explanation?
}
