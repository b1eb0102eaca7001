import Commands
import EventStore
import Foundation
import LooplineTestSupport
import Testing

/// Found by `make check-faults` (an event no acknowledged request had written): a keyed request
/// stalls on one server after claiming its key (`SIGSTOP`), its client times out and retries the
/// key on another server; the stalled attempt then commits between the retry's claim and its
/// decision, so the retry decides on a stream that already holds its own event and refuses
/// (`start-story` on a story the retry's server has not seen: `story_not_found` on its empty
/// cached state, then, read afresh, `story_already_started`). The client is told "refused" for a
/// command that was recorded.
@Suite("An idempotent retry racing its stalled first attempt")
struct IdempotentTwinTests {
    static let caller = (id: "00000000-0000-4000-8000-000000000001", name: "test")
    static let body = Data(#"{"storyId": "TWIN-1", "service": "web"}"#.utf8)

    /// The real store, with a pause after `claim` returns: the moment a stalled server (or a
    /// slow one) sits between claiming a key and deciding.
    final class StallAfterClaim: CommandStore {
        let real: EventStore
        let stall: @Sendable () async -> Void
        init(_ real: EventStore, stall: @escaping @Sendable () async -> Void) { (self.real, self.stall) = (real, stall) }

        func claim(_ key: IdempotencyKey, eventIds: [UUID]) async throws(EventStoreError) -> IdempotencyClaim {
            let claim = try await real.claim(key, eventIds: eventIds)
            await stall()
            return claim
        }
        func append(_ events: [NewEvent], to stream: StreamName, expected: ExpectedVersion) async throws -> AppendResult {
            try await real.append(events, to: stream, expected: expected)
        }
        func read(stream: StreamName, afterVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
            try await real.read(stream: stream, afterVersion: afterVersion, limit: limit)
        }
        func events(withIds ids: [UUID]) async throws -> [RecordedEvent] { try await real.events(withIds: ids) }
        func recordOutcome(_ key: IdempotencyKey, status: Int, response: Data) async throws(EventStoreError) {
            try await real.recordOutcome(key, status: status, response: response)
        }
    }

    @Test("the retry answers with the events its first attempt recorded, and so does every later retry")
    func retryAfterTheFirstAttemptLanded() async throws {
        try await TestDatabase.with { db in
            let logger = TestEnvironment.logger()
            _ = try await CommandHandler(store: db.store, logger: logger).handle(
                name: "create-story", body: Data(#"{"storyId": "TWIN-1", "title": "Twins", "service": "web"}"#.utf8), idempotencyKey: nil,
                caller: Self.caller)
            let firstClaimed = Flag(), firstMayGoOn = Flag(), firstDone = Flag()
            // The first attempt claims the key, then waits until the retry has claimed it too.
            let first = CommandHandler(
                store: StallAfterClaim(db.store) { firstClaimed.set(); try? await firstMayGoOn.wait() }, logger: logger)
            // The retry claims (the key is unfinished, nothing recorded yet), lets the first
            // attempt go on and waits until it has committed: then it decides.
            let retry = CommandHandler(store: StallAfterClaim(db.store) { firstMayGoOn.set(); try? await firstDone.wait() }, logger: logger)

            let firstAttempt = Task {
                defer { firstDone.set() }
                return try await first.handle(name: "start-story", body: Self.body, idempotencyKey: "run-1", caller: Self.caller)
            }
            try await firstClaimed.wait()
            let retried = try await retry.handle(name: "start-story", body: Self.body, idempotencyKey: "run-1", caller: Self.caller)
            let original = try await firstAttempt.value

            #expect(retried.events.map(\.eventId) == original.events.map(\.eventId), "the retry names the recorded event")
            #expect(retried.replayed)
            let again = try await CommandHandler(store: db.store, logger: logger)
                .handle(name: "start-story", body: Self.body, idempotencyKey: "run-1", caller: Self.caller)
            #expect(again.events.map(\.eventId) == original.events.map(\.eventId), "the stored outcome is the recorded one")
            #expect(try await db.store.read(stream: try StreamName("story-TWIN-1")).map(\.type) == ["StoryCreated", "StoryStarted"])
        }
    }
}
