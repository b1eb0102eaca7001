import Commands
import EventStore
import Foundation
import Lifecycle
import LooplineTestSupport
import Testing

/// The handler's paths that are hard to provoke on a real database (rival writers at the
/// right moment, a crash between append and record), against an in-memory store.
@Suite("Command handler against a fake store")
struct CommandHandlerFakeStoreTests {
    static let caller = (id: "00000000-0000-4000-8000-000000000001", name: "test")
    static let createStory = #"{"storyId": "P-1", "title": "Sign in", "service": "checkout"}"#
    static let startStory = #"{"storyId": "P-1", "service": "checkout"}"#

    let store = FakeCommandStore()

    func handler(maximumAttempts: Int = 10) -> CommandHandler {
        CommandHandler(store: store, logger: TestEnvironment.logger(), maximumAttempts: maximumAttempts)
    }

    func send(
        _ handler: CommandHandler, _ name: String, _ body: String, key: String? = nil
    ) async throws(CommandError) -> CommandResult {
        try await handler.handle(name: name, body: Data(body.utf8), idempotencyKey: key, caller: Self.caller)
    }

    @Test("a stream this process knows is continued without reading it")
    func cachedState() async throws {
        let handler = handler()
        _ = try await send(handler, "create-story", Self.createStory)
        let started = try await send(handler, "start-story", Self.startStory)
        #expect(started.events.map(\.streamVersion) == [2])
        #expect(store.readCalls == 0)
        #expect(store.appendCalls == 2)
    }

    @Test("a rival append makes the handler read the stream and decide again")
    func conflictRetried() async throws {
        let handler = handler()
        _ = try await send(handler, "create-story", Self.createStory)
        store.update { $0.rivalAppends = 1 }
        let started = try await send(handler, "start-story", Self.startStory)
        #expect(started.events.map(\.streamVersion) == [3])
        #expect(store.appendCalls == 3)
        #expect(store.readCalls == 1)
        #expect(store.events(in: "story-P-1").map(\.type) == ["StoryCreated", "RivalNote", "StoryStarted"])
    }

    @Test("a stream that keeps changing gives up after the maximum attempts, writing nothing")
    func conflictExhausted() async throws {
        let handler = handler(maximumAttempts: 3)
        store.update { $0.rivalAppends = 100 }
        let error = await #expect(throws: CommandError.self) { try await send(handler, "create-story", Self.createStory) }
        #expect(error?.status == 409)
        #expect(error?.code == "concurrency_conflict")
        #expect(store.appendCalls == 3)
        #expect(store.events(in: "story-P-1").allSatisfy { $0.type == "RivalNote" })
    }

    @Test("a refusal on a guessed state is confirmed on a fresh read before it is returned")
    func refusalConfirmed() async throws {
        _ = try await send(handler(), "create-story", Self.createStory)
        // Another process's handler has never seen the story: its guess (no stream) refuses.
        let other = handler()
        let started = try await send(other, "start-story", Self.startStory)
        #expect(started.events.map(\.type) == ["StoryStarted"])
        #expect(store.readCalls == 1)

        let error = await #expect(throws: CommandError.self) {
            try await send(other, "start-story", #"{"storyId": "P-404", "service": "checkout"}"#)
        }
        #expect(error?.status == 409)
        #expect(error?.code == "story_not_found")
        #expect(store.readCalls == 2)
    }

    @Test("the same key and body answer with the first outcome; another body is refused")
    func idempotentReplay() async throws {
        let handler = handler()
        let first = try await send(handler, "create-story", Self.createStory, key: "k-1")
        let again = try await send(handler, "create-story", Self.createStory, key: "k-1")
        #expect(again.replayed)
        #expect(again.events.map(\.eventId) == first.events.map(\.eventId))
        #expect(store.appendCalls == 1)
        let error = await #expect(throws: CommandError.self) {
            try await send(handler, "create-story", #"{"storyId": "P-2", "title": "t", "service": "checkout"}"#, key: "k-1")
        }
        #expect(error?.code == "idempotency_key_reused")
        #expect(store.appendCalls == 1)
    }

    @Test("a refusal is remembered against its key like a success")
    func refusalRemembered() async throws {
        let handler = handler()
        let body = #"{"storyId": "P-9", "service": "checkout"}"#
        for _ in 1...2 {
            let error = await #expect(throws: CommandError.self) { try await send(handler, "start-story", body, key: "k-2") }
            #expect(error?.code == "story_not_found")
        }
        #expect(store.readCalls == 1)
    }

    @Test("a retry after a crash between append and record finds the first attempt's events")
    func crashBetweenAppendAndRecord() async throws {
        store.update { $0.recordFailure = EventStoreError(.databaseUnavailable, "gone") }
        let first = try await send(handler(), "create-story", Self.createStory, key: "k-3")
        store.update { $0.recordFailure = nil }
        // A new process: nothing cached, the key claimed but unfinished.
        let retry = try await send(handler(), "create-story", Self.createStory, key: "k-3")
        #expect(retry.replayed)
        #expect(retry.events.map(\.eventId) == first.events.map(\.eventId))
        #expect(store.appendCalls == 1)
        // The retry recorded the outcome: a third request answers from it.
        let third = try await send(handler(), "create-story", Self.createStory, key: "k-3")
        #expect(third.replayed && third.events.map(\.eventId) == first.events.map(\.eventId))
    }

    @Test("an unreachable database is 503 and is not remembered, so the same key works later")
    func databaseUnavailable() async throws {
        let handler = handler()
        store.update { $0.appendFailure = EventStoreError(.databaseUnavailable, "connection refused") }
        let error = await #expect(throws: CommandError.self) { try await send(handler, "create-story", Self.createStory, key: "k-4") }
        #expect(error?.status == 503)
        #expect(error?.code == "database_unavailable")
        store.update { $0.appendFailure = nil }
        let result = try await send(handler, "create-story", Self.createStory, key: "k-4")
        #expect(!result.replayed)
        #expect(store.events(in: "story-P-1").map(\.type) == ["StoryCreated"])
    }
}
