public import EventStore
public import Foundation

/// What the command handler needs of the log: append with an expected version, read a
/// stream, and keep idempotency keys. `EventStore` is the real one; tests use a fake, so every
/// path of the handler (retries, conflicts, idempotent replays) runs without a database.
///
/// Failures are `EventStoreError`s: the store has already judged what a database error means.
public protocol CommandStore: Sendable {
    func append(_ events: [NewEvent], to stream: StreamName, expected: ExpectedVersion) async throws -> AppendResult
    func read(stream: StreamName, afterVersion: Int64, limit: Int) async throws -> [RecordedEvent]
    func events(withIds ids: [UUID]) async throws -> [RecordedEvent]
    func claim(_ key: IdempotencyKey, eventIds: [UUID]) async throws(EventStoreError) -> IdempotencyClaim
    func recordOutcome(_ key: IdempotencyKey, status: Int, response: Data) async throws(EventStoreError)
    /// Claims many keys of one scope at once; answers the key texts claimed fresh.
    func claimFresh(_ keys: [IdempotencyKey]) async throws(EventStoreError) -> Set<String>
    /// Stores many outcomes at once.
    func recordOutcomes(_ outcomes: [IdempotentOutcome]) async throws(EventStoreError)
}

extension CommandStore {
    /// One claim per key, for stores without a bulk statement (the tests' fakes).
    public func claimFresh(_ keys: [IdempotencyKey]) async throws(EventStoreError) -> Set<String> {
        var fresh = Set<String>()
        for key in keys where try await claim(key, eventIds: []) == .fresh { fresh.insert(key.key) }
        return fresh
    }

    public func recordOutcomes(_ outcomes: [IdempotentOutcome]) async throws(EventStoreError) {
        for outcome in outcomes { try await recordOutcome(outcome.key, status: outcome.status, response: outcome.response) }
    }
}

extension EventStore: CommandStore {}
