internal import CLibPQ

/// A statement with its parameters, for pipelines.
public struct Statement: Sendable {
    public var sql: String
    public var parameters: [(any PostgresEncodable)?]

    public init(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension Connection {
    /// Sends several statements in one round trip (libpq pipeline mode) and returns each
    /// one's outcome in order. Each statement runs in its own implicit transaction, so one
    /// failing does not undo or skip the others.
    ///
    /// Meant for a handful of statements with small results: the whole pipeline is written
    /// before any result is read.
    public func pipeline(_ statements: [Statement]) throws -> [Result<QueryResult, PostgresError>] {
        // Prepare outside the pipeline: a failed prepare is then an ordinary error.
        let names = try statements.map { try prepare($0.sql, parameterCount: $0.parameters.count) }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        defer { PQexitPipelineMode(handle) }
        for (statement, name) in zip(statements, names) {
            let sent = Self.withParameterValues(statement.parameters) { values in
                PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, nil, nil, 0)
            }
            guard sent == 1, PQpipelineSync(handle) == 1 else { throw connectionError() }
        }
        guard PQflush(handle) == 0 else { throw connectionError() }
        return try statements.map { _ in try readPipelineResult() }
    }

    /// Reads one statement's result, the end of its results, and the sync that follows it.
    private func readPipelineResult() throws -> Result<QueryResult, PostgresError> {
        guard let first = PQgetResult(handle) else { throw connectionError() }
        let outcome: Result<QueryResult, PostgresError>
        do {
            outcome = .success(try check(first))
        } catch let error as PostgresError {
            outcome = .failure(error)
        }
        // After a statement's result, libpq returns NULL, then the sync point.
        if PQgetResult(handle) != nil { throw PostgresError.protocolViolation("pipeline: more than one result per statement") }
        guard let sync = PQgetResult(handle) else { throw connectionError() }
        defer { PQclear(sync) }
        guard PQresultStatus(sync) == PGRES_PIPELINE_SYNC else {
            throw PostgresError.protocolViolation("pipeline: expected a sync point")
        }
        return outcome
    }
}
