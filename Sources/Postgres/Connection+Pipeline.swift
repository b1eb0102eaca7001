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
        try withPipeline(statements.map { [$0] }).flatMap { $0 }
    }

    /// Runs `statements` in one transaction and one round trip, and returns their results.
    /// If any fails, the transaction rolls back and the first error is thrown. `after`
    /// statements follow in the same round trip, each in its own implicit transaction once
    /// the transaction committed; their outcomes do not affect it.
    ///
    /// No BEGIN or COMMIT is sent: in the extended protocol, everything up to a sync point is
    /// one implicit transaction, committed at the sync (two statements fewer per transaction).
    public func pipelinedTransaction(_ statements: [Statement], then after: [Statement] = []) throws -> [QueryResult] {
        let segments = [statements] + after.map { [$0] }
        let outcomes = try withPipeline(segments)[0]
        // The failure that aborted the transaction, not the skipped statements after it.
        let firstFailure = outcomes.lazy.compactMap { outcome -> PostgresError? in
            if case .failure(let error) = outcome, error.kind != .skipped { return error }
            return nil
        }.first
        if let firstFailure { throw firstFailure }
        return try outcomes.map { try $0.get() }
    }

    /// Sends each segment followed by a sync point, then reads one outcome per statement.
    private func withPipeline(_ segments: [[Statement]]) throws -> [[Result<QueryResult, PostgresError>]] {
        // Prepare outside the pipeline: a failed prepare is then an ordinary error.
        let names = try segments.map { segment in
            try segment.map { try prepare($0.sql, parameterCount: $0.parameters.count) }
        }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        defer { PQexitPipelineMode(handle) }
        for (segment, segmentNames) in zip(segments, names) {
            for (statement, name) in zip(segment, segmentNames) {
                let sent = Self.withParameterValues(statement.parameters) { values in
                    PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, nil, nil, 0)
                }
                guard sent == 1 else { throw connectionError() }
            }
            guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        }
        guard PQflush(handle) == 0 else { throw connectionError() }
        return try segments.map { segment in
            let outcomes = try segment.map { _ in try readPipelineResult() }
            try readSync()
            return outcomes
        }
    }

    /// Reads one statement's result and the end marker that follows it.
    private func readPipelineResult() throws -> Result<QueryResult, PostgresError> {
        guard let first = PQgetResult(handle) else { throw connectionError() }
        let outcome: Result<QueryResult, PostgresError>
        do {
            outcome = .success(try check(first))
        } catch let error as PostgresError {
            outcome = .failure(error)
        }
        if let extra = PQgetResult(handle) {
            _ = try check(extra)
            throw isOK ? PostgresError.protocolViolation("pipeline: more than one result for a statement") : connectionError()
        }
        return outcome
    }

    private func readSync() throws {
        guard let sync = PQgetResult(handle) else { throw connectionError() }
        guard PQresultStatus(sync) == PGRES_PIPELINE_SYNC else {
            // Typically the server's goodbye (57P01 during a restart): report that error.
            _ = try check(sync)
            throw isOK ? PostgresError.protocolViolation("pipeline: expected a sync point") : connectionError()
        }
        PQclear(sync)
    }
}
