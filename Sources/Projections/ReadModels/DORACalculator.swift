import Foundation

/// Computes a DORA report from its facts; pure, so every definition is testable on its own.
struct DORACalculator {
    let facts: DORAFacts
    let query: DORAQuery

    /// One production deployment, judged.
    struct Judged {
        var deployment: DORAFacts.Deployment
        /// Why it is a failed change: `failed`, `rolled_back`, `incident` (empty: it is not).
        var reasons: [String] = []
        var incidents: [String] = []
        var recoveryHours: Double?
        /// The first successful deployment of its service after a failed change: a fix.
        var rework = false
        var failedChange: Bool { !reasons.isEmpty }
    }

    func judge() -> [Judged] {
        var byDeployment: [String: [DORAFacts.Incident]] = [:]
        for incident in facts.incidents { if let id = incident.deploymentId { byDeployment[id, default: []].append(incident) } }
        var judged: [Judged] = []
        for (_, deployments) in Dictionary(grouping: facts.deployments, by: \.service) {
            let ordered = deployments.sorted { ($0.finishedAt, $0.id) < ($1.finishedAt, $1.id) }
            var awaitingFix = false
            for (index, deployment) in ordered.enumerated() {
                var entry = Judged(deployment: deployment)
                let incidents = byDeployment[deployment.id] ?? []
                if deployment.status == "failed" { entry.reasons.append("failed") }
                if deployment.status == "rolled_back" { entry.reasons.append("rolled_back") }
                if !incidents.isEmpty { entry.reasons.append("incident") }
                entry.incidents = incidents.map(\.id)
                entry.recoveryHours = recovery(deployment, after: ordered[(index + 1)...], incidents: incidents)
                if awaitingFix && deployment.succeeded {
                    entry.rework = true
                    awaitingFix = false
                }
                if entry.failedChange { awaitingFix = true }
                judged.append(entry)
            }
        }
        return judged.sorted { ($0.deployment.finishedAt, $0.deployment.id) < ($1.deployment.finishedAt, $1.deployment.id) }
    }

    /// How long service took to recover from a failed change: a failed deployment until the
    /// next successful one; a rolled-back one until the rollback; one that caused incidents
    /// until the last of them was resolved (nil while one is open).
    func recovery(_ deployment: DORAFacts.Deployment, after later: ArraySlice<DORAFacts.Deployment>, incidents: [DORAFacts.Incident]) -> Double? {
        if deployment.status == "failed" {
            return later.first(where: \.succeeded).map { $0.finishedAt.timeIntervalSince(deployment.finishedAt) / 3600 }
        }
        if deployment.status == "rolled_back", let rolledBack = deployment.rolledBackAt {
            return rolledBack.timeIntervalSince(deployment.finishedAt) / 3600
        }
        guard !incidents.isEmpty, incidents.allSatisfy({ $0.resolvedAt != nil }) else { return nil }
        return incidents.map { $0.resolvedAt!.timeIntervalSince($0.openedAt) / 3600 }.max()
    }

    func report() -> DORAReportBody {
        let all = judge()
        let window = all.filter { $0.deployment.finishedAt >= query.from && $0.deployment.finishedAt < query.to }
        let days = query.to.timeIntervalSince(query.from) / 86_400
        func metrics(_ keep: (String, String?) -> Bool) -> DORAMetrics {
            DORAMetrics(
                window.filter { keep($0.deployment.service, $0.deployment.team) },
                facts.deliveries.filter { keep($0.service, $0.team) }, days: days)
        }
        let services = Set(window.map(\.deployment.service) + facts.deliveries.map(\.service)).sorted()
        let teams = Set(window.compactMap(\.deployment.team) + facts.deliveries.compactMap(\.team)).sorted()
        return DORAReportBody(
            from: query.from, to: query.to, environment: query.environment, bucket: query.bucket.rawValue,
            attribution: .init(windowHours: query.attributionHours, environment: query.environment),
            readModels: facts.positions,
            overall: metrics { _, _ in true },
            services: services.map { service in .init(name: service, metrics: metrics { s, _ in s == service }) },
            teams: teams.map { team in .init(name: team, metrics: metrics { _, t in t == team }) },
            series: series(window),
            explain: query.explain ? explanation(window) : nil)
    }

    func series(_ window: [Judged]) -> [DORAReportBody.Bucket] {
        buckets().map { start, end in .init(start: start, metrics: metrics(window, from: start, to: end) { _, _ in true }) }
    }

    /// The metrics of each bucket, overall, per service and per team: a table for BI tools.
    func table() -> [(start: Date, end: Date, scope: String, name: String?, metrics: DORAMetrics)] {
        let window = judge().filter { $0.deployment.finishedAt >= query.from && $0.deployment.finishedAt < query.to }
        let services = Set(window.map(\.deployment.service) + facts.deliveries.map(\.service)).sorted()
        let teams = Set(window.compactMap(\.deployment.team) + facts.deliveries.compactMap(\.team)).sorted()
        return buckets().flatMap { start, end in
            [(start, end, "overall", nil, metrics(window, from: start, to: end) { _, _ in true })]
                + services.map { service in (start, end, "service", service, metrics(window, from: start, to: end) { s, _ in s == service }) }
                + teams.map { team in (start, end, "team", team, metrics(window, from: start, to: end) { _, t in t == team }) }
        }
    }

    /// The metrics of the deployments and deliveries in [from, to) that `keep` (service, team).
    private func metrics(_ window: [Judged], from: Date, to: Date, _ keep: (String, String?) -> Bool) -> DORAMetrics {
        DORAMetrics(
            window.filter { $0.deployment.finishedAt >= from && $0.deployment.finishedAt < to && keep($0.deployment.service, $0.deployment.team) },
            facts.deliveries.filter { $0.deliveredAt >= from && $0.deliveredAt < to && keep($0.service, $0.team) },
            days: to.timeIntervalSince(from) / 86_400)
    }

    /// The calendar buckets (UTC, ISO weeks) that cover the query's window.
    func buckets() -> [(start: Date, end: Date)] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let component: Calendar.Component = switch query.bucket {
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        }
        var buckets: [(Date, Date)] = []
        var start = calendar.dateInterval(of: component, for: query.from)!.start
        while start < query.to {
            let end = calendar.date(byAdding: component, value: 1, to: start)!
            buckets.append((start, end))
            start = end
        }
        return buckets
    }

    func explanation(_ window: [Judged]) -> DORAReportBody.Explanation {
        let ids = Set(window.map(\.deployment.id))
        return .init(
            deployments: window.map { judged in
                .init(
                    deploymentId: judged.deployment.id, service: judged.deployment.service, team: judged.deployment.team,
                    sha: judged.deployment.sha, status: judged.deployment.status, finishedAt: judged.deployment.finishedAt,
                    failedChange: judged.failedChange, reasons: judged.reasons, incidents: judged.incidents,
                    recoveryHours: judged.recoveryHours.map(DORAMetrics.round2), rework: judged.rework)
            },
            commits: facts.deliveries.map { delivery in
                .init(
                    sha: delivery.sha, service: delivery.service, integratedAt: delivery.integratedAt,
                    deliveredAt: delivery.deliveredAt, deploymentId: delivery.deploymentId,
                    leadTimeHours: DORAMetrics.round2(delivery.hours))
            },
            incidents: facts.incidents
                .filter { ($0.openedAt >= query.from && $0.openedAt < query.to) || $0.deploymentId.map(ids.contains) == true }
                .map { incident in
                    .init(
                        incidentId: incident.id, service: incident.service, openedAt: incident.openedAt,
                        resolvedAt: incident.resolvedAt, deploymentId: incident.deploymentId, rule: incident.rule,
                        counted: incident.deploymentId.map(ids.contains) ?? false)
                })
    }
}
