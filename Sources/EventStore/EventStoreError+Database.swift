import Postgres

extension EventStoreError {
    /// The one place a failure of PostgreSQL becomes a stable code: every module above the
    /// store (commands, projections, exports, tokens, the server) sees `EventStoreError`s and
    /// never a `PostgresError`, so "unavailable, retry" and "failed, see the logs" are judged
    /// the same way everywhere.
    ///
    /// An `EventStoreError` passes through unchanged; anything that is not a database error is
    /// a `databaseError` too (it arose while talking to the database).
    public static func from(_ error: any Error) -> EventStoreError {
        switch error {
        case let error as EventStoreError:
            return error
        case let error as PostgresError where error.isConnectionFailure || error.kind == .acquireTimeout || error.kind == .closed:
            return EventStoreError(.databaseUnavailable, error.description)
        case let error as PostgresError where error.code == .undefinedTable || error.code == .invalidSchemaName:
            return EventStoreError(.missingRelation, error.description)
        case let error as PostgresError where error.code == .uniqueViolation:
            return EventStoreError(.uniqueViolation, error.description, constraint: error.constraint)
        default:
            return EventStoreError(.databaseError, "\(error)")
        }
    }

    /// Runs `body`; a `PostgresError` it throws becomes an `EventStoreError` (see `from`),
    /// anything else (a module's own refusals) passes unchanged. What the modules over the
    /// database (projections, exports, tokens) wrap their statements in.
    public static func mapping<Value>(_ body: () async throws -> Value) async throws -> Value {
        do { return try await body() } catch let error as PostgresError { throw from(error) }
    }
}

extension Error {
    /// True for failures that a retry on a fresh connection can cure.
    public var isTransientDatabaseFailure: Bool {
        EventStoreError.from(self).code == .databaseUnavailable
    }
}

extension EventStore {
    /// Runs `body` for a method that throws only `EventStoreError`s.
    static func mappingAll<Value>(_ body: () async throws -> Value) async throws(EventStoreError) -> Value {
        do { return try await body() } catch { throw EventStoreError.from(error) }
    }
}
