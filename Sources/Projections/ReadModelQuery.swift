public import Foundation
public import Postgres
import EventStore

/// A question a read model answers: `GET /v1/stages/{stage}/{name}` over HTTP, the `query`
/// op over the socket. Each runs one SQL statement (one snapshot) that builds its JSON answer
/// in PostgreSQL; times come out as ISO 8601 with a UTC offset.
public struct ReadModelQuery: Sendable {
    public var stage: String
    public var name: String
    /// The parameters it reads, for docs and error messages.
    public var parameters: [String]
    let run: @Sendable (QueryArguments, Connection) throws -> String

    init(stage: String, name: String, parameters: [String], run: @escaping @Sendable (QueryArguments, Connection) throws -> String) {
        self.stage = stage
        self.name = name
        self.parameters = parameters
        self.run = run
    }

    /// Runs the query and returns its JSON answer.
    public func run(_ arguments: QueryArguments, client: PostgresClient) async throws -> String {
        for given in arguments.values.keys where !parameters.contains(given) {
            throw QueryError(
                code: "invalid_parameter",
                message: "\(stage)/\(name) takes \(parameters.isEmpty ? "no parameters" : parameters.joined(separator: ", ")), not \(given)",
                field: given)
        }
        // Given but empty is a mistake, not "no filter"; and PostgreSQL text cannot hold NUL.
        if let (name, _) = arguments.values.first(where: { $0.value.isEmpty }) {
            throw QueryError(code: "invalid_parameter", message: "\(name) is empty; leave it out to mean no filter", field: name)
        }
        if let (name, _) = arguments.values.first(where: { $0.value.contains("\0") }) {
            throw QueryError(code: "invalid_parameter", message: "\(name) must not contain a NUL character", field: name)
        }
        return try await EventStoreError.mapping { try await client.withConnection { connection in try run(arguments, connection) } }
    }

    /// Runs one statement whose single row and column is the JSON answer.
    static func json(_ connection: Connection, _ sql: String, _ parameters: [(any PostgresEncodable)?]) throws -> String {
        try connection.query(sql, parameters)[0].decode(0, as: String.self)
    }
}

/// Every query of every read model.
public enum ReadModelQueries {
    public static let all: [ReadModelQuery] =
        PlanningQueries.all + IntegrationQueries.all + TestingQueries.all + DeliveryQueries.all + MonitoringQueries.all
        + FeedbackQueries.all + ImprovementQueries.all + [DORAReport.query, ValueStreamQuery.query]

    /// The query `stage/name`; throws `QueryError` `unknown_query` when there is none.
    public static func find(stage: String, name: String) throws -> ReadModelQuery {
        guard let query = all.first(where: { $0.stage == stage && $0.name == name }) else {
            let names = all.filter { $0.stage == stage }.map(\.name)
            throw QueryError(
                code: "unknown_query",
                message: names.isEmpty
                    ? "no read model is called \(stage); stages: \(Set(all.map(\.stage)).sorted().joined(separator: ", "))"
                    : "the \(stage) read model has no query \(name); it has \(names.joined(separator: ", "))",
                field: names.isEmpty ? "stage" : "query")
        }
        return query
    }
}

/// A query's parameters, as given (HTTP query string or socket object), read with validation.
public struct QueryArguments: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public func text(_ name: String) -> String? { values[name] }

    public func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw QueryError(code: "invalid_parameter", message: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)", field: name)
        }
        return number
    }

    /// An ISO 8601 time (`2026-11-01`, or with a time and offset); given empty, it is refused.
    public func time(_ name: String) throws -> Date? {
        guard let text = values[name] else { return nil }
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        guard let date = full.date(from: text) ?? plain.date(from: text) ?? day.date(from: text) else {
            throw QueryError(code: "invalid_parameter", message: "\(name) must be an ISO 8601 date or time, like 2026-11-01 or 2026-11-01T09:30:00Z", field: name)
        }
        return date
    }

    /// One of `allowed`; given empty, it is refused.
    public func choice(_ name: String, _ allowed: [String]) throws -> String? {
        guard let text = values[name] else { return nil }
        guard allowed.contains(text) else {
            throw QueryError(code: "invalid_parameter", message: "\(name) must be one of \(allowed.joined(separator: ", "))", field: name)
        }
        return text
    }
}

/// A query that cannot run as asked; `code` is stable.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var field: String?
    public var description: String { message }
}
