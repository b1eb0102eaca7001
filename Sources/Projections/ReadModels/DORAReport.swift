public import Foundation
import Postgres

/// What a DORA report covers: `GET /v1/dora?service=&team=&from=&to=&bucket=&explain=`.
public struct DORAQuery: Sendable {
    public var service: String?
    public var team: String?
    public var from: Date
    public var to: Date
    public var bucket: Bucket
    public var explain: Bool
    /// The environment whose deployments count.
    public var environment: String
    /// An incident with no explicit link is attributed to the latest successful production
    /// deployment of its service within this many hours before it opened (0: not at all).
    public var attributionHours: Int

    public enum Bucket: String, Sendable, CaseIterable { case day, week, month }

    public static let parameters = ["service", "team", "from", "to", "bucket", "explain", "attributionHours", "environment"]

    /// Reads and checks the parameters (unknown ones are refused by `ReadModelQuery.run`); defaults: the 30 days up to now, weekly buckets,
    /// production, 24 hours.
    public init(_ arguments: QueryArguments, now: Date = Date()) throws {
        service = arguments.text("service")
        team = arguments.text("team")
        to = try arguments.time("to") ?? now
        from = try arguments.time("from") ?? to.addingTimeInterval(-30 * 86_400)
        guard from < to else { throw QueryError(code: "invalid_parameter", message: "from must be before to", field: "from") }
        guard to.timeIntervalSince(from) <= 3 * 366 * 86_400 else {
            throw QueryError(code: "invalid_parameter", message: "the window may span at most three years", field: "from")
        }
        bucket = Bucket(rawValue: try arguments.choice("bucket", Bucket.allCases.map(\.rawValue)) ?? "week")!
        explain = try arguments.choice("explain", ["true", "false"]) == "true"
        environment = arguments.text("environment") ?? "production"
        attributionHours = try arguments.integer("attributionHours", default: 24, range: 0...720)
    }
}

/// The four DORA keys (plus rework rate) with their performance tiers, overall, per service
/// and per team, and per time bucket. See docs/read-models.md for every definition.
public enum DORAReport {
    /// `GET /v1/dora`, also the socket's `query` op with stage `dora`, query `report`.
    static let query = ReadModelQuery(stage: "dora", name: "report", parameters: DORAQuery.parameters) { arguments, connection in
        try json(DORAQuery(arguments), connection: connection)
    }

    /// The report as JSON.
    static func json(_ query: DORAQuery, connection: Connection) throws -> String {
        let facts = try DORAFacts.read(query, connection: connection)
        let report = DORACalculator(facts: facts, query: query).report()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
