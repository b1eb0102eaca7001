import Commands
import EventStore
import Foundation
import Lifecycle
import LooplineTestSupport
import Postgres
import Testing

@Suite("Command handler against the real PostgreSQL")
struct CommandHandlerTests {
    static let caller = (id: "00000000-0000-4000-8000-000000000001", name: "test")
    static let otherCaller = (id: "00000000-0000-4000-8000-000000000002", name: "other")

    func handler(_ db: TestDatabase) -> CommandHandler {
        CommandHandler(store: db.store, logger: TestEnvironment.logger())
    }

    func body(_ json: String) -> Data { Data(json.utf8) }

    @Test("a command becomes events in its stream, in version order")
    func happyPath() async throws {
        try await TestDatabase.with { db in
            let handler = handler(db)
            let created = try await handler.handle(
                name: "create-story", body: body(#"{"storyId": "PROJ-1", "title": "Sign in", "service": "checkout"}"#),
                idempotencyKey: nil, caller: Self.caller)
            #expect(created.stream == "story-PROJ-1")
            #expect(created.events.map(\.type) == ["StoryCreated"])
            #expect(created.events.map(\.streamVersion) == [1])
            #expect(!created.replayed)
            let started = try await handler.handle(
                name: "start-story", body: body(#"{"storyId": "PROJ-1", "service": "checkout"}"#), idempotencyKey: nil,
                caller: Self.caller)
            #expect(started.events.map(\.streamVersion) == [2])
            let metadata = try await db.store.read(stream: try StreamName("story-PROJ-1")).map(\.metadata)
            #expect(metadata.allSatisfy { $0.contains(#""token": "test""#) })
        }
    }

    @Test("refusals carry their code and the status that fits", arguments: [
        ("no-such-command", "{}", 404, "unknown_command"),
        ("create-story", "not json", 400, "invalid_body"),
        ("create-story", #"{"title": "t", "service": "checkout"}"#, 422, "missing_field"),
        ("create-story", #"{"storyId": 12, "title": "t", "service": "checkout"}"#, 422, "invalid_field"),
        ("start-story", #"{"storyId": "NOPE-1", "service": "checkout"}"#, 409, "story_not_found"),
        ("create-story", #"{"storyId": "P-1", "title": "t", "service": "checkout", "occurredAt": "2999-01-01T00:00:00Z"}"#, 422, "occurred_in_future"),
    ])
    func refusals(name: String, json: String, status: Int, code: String) async throws {
        try await TestDatabase.with { db in
            let error = await #expect(throws: CommandError.self) {
                try await handler(db).handle(name: name, body: body(json), idempotencyKey: nil, caller: Self.caller)
            }
            #expect(error?.status == status)
            #expect(error?.code == code)
            let count = try await db.eventCount()
            #expect(count == 0)
        }
    }

    @Test("the same idempotency key and body answer with the stored outcome; another body is refused")
    func idempotency() async throws {
        try await TestDatabase.with { db in
            let handler = handler(db)
            let request = body(#"{"storyId": "PROJ-7", "title": "Retry me", "service": "checkout"}"#)
            let first = try await handler.handle(name: "create-story", body: request, idempotencyKey: "k-1", caller: Self.caller)
            let again = try await handler.handle(name: "create-story", body: request, idempotencyKey: "k-1", caller: Self.caller)
            #expect(again.replayed)
            #expect(again.events == first.events)
            #expect(try await db.eventCount() == 1)

            let reused = await #expect(throws: CommandError.self) {
                try await handler.handle(
                    name: "create-story", body: self.body(#"{"storyId": "PROJ-8", "title": "Other", "service": "checkout"}"#),
                    idempotencyKey: "k-1", caller: Self.caller)
            }
            #expect(reused?.status == 409)
            #expect(reused?.code == "idempotency_key_reused")

            // Keys belong to their token: another caller may use the same key for its own command.
            let other = try await handler.handle(
                name: "create-story", body: body(#"{"storyId": "PROJ-9", "title": "Mine", "service": "checkout"}"#),
                idempotencyKey: "k-1", caller: Self.otherCaller)
            #expect(!other.replayed)

            // A refusal is an outcome too: retried, it answers the same without deciding again.
            let refusal = body(#"{"storyId": "NOPE-2", "service": "checkout"}"#)
            let firstRefusal = await #expect(throws: CommandError.self) {
                try await handler.handle(name: "start-story", body: refusal, idempotencyKey: "k-2", caller: Self.caller)
            }
            let secondRefusal = await #expect(throws: CommandError.self) {
                try await handler.handle(name: "start-story", body: refusal, idempotencyKey: "k-2", caller: Self.caller)
            }
            #expect(firstRefusal == secondRefusal)
            #expect(try await db.eventCount() == 2)
        }
    }

    @Test("a key whose first attempt died after appending answers with those events, writing nothing new")
    func unfinishedKey() async throws {
        try await TestDatabase.with { db in
            let handler = handler(db)
            let request = body(#"{"storyId": "PROJ-3", "title": "Crash", "service": "checkout"}"#)
            let first = try await handler.handle(name: "create-story", body: request, idempotencyKey: "k-crash", caller: Self.caller)
            // As if the process died between the append and recording the outcome.
            try await db.client.withConnection { connection in
                _ = try connection.query("UPDATE command_idempotency SET status = NULL, response = NULL")
            }
            let retried = try await handler.handle(name: "create-story", body: request, idempotencyKey: "k-crash", caller: Self.caller)
            #expect(retried.replayed)
            #expect(retried.events.map(\.eventId) == first.events.map(\.eventId))
            #expect(try await db.eventCount() == 1)
        }
    }

    @Test("concurrent commands on one stream all land, retried on version conflicts")
    func concurrentCommands() async throws {
        try await TestDatabase.with(maxConnections: 12) { db in
            let handler = handler(db)
            _ = try await handler.handle(
                name: "create-story", body: body(#"{"storyId": "HOT-1", "title": "Busy", "service": "checkout"}"#),
                idempotencyKey: nil, caller: Self.caller)
            let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
                for priority in 0..<10 {
                    group.addTask {
                        try await handler.handle(
                            name: "prioritize-story",
                            body: Data(#"{"storyId": "HOT-1", "priority": \#(priority % 5 + 1), "service": "checkout"}"#.utf8),
                            idempotencyKey: nil, caller: Self.caller)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 10)
            let versions = try await db.store.read(stream: try StreamName("story-HOT-1")).map(\.streamVersion)
            #expect(versions == Array(1...11))
        }
    }
}

@Suite("Command results as JSON")
struct CommandResultJSONTests {
    @Test("the hand-written JSON equals what the encoder writes")
    func sameAsEncoder() throws {
        let result = CommandResult(
            command: "create-story", stream: "story-\"quoted\"",
            events: [
                .init(
                    eventId: "0190c2a5-1111-7000-8000-000000000001", type: "StoryCreated", stream: "story-\"quoted\"",
                    streamVersion: 3, position: 42, recordedAt: Date(timeIntervalSince1970: 1_790_000_000.123456))
            ], replayed: false)
        #expect(result.json == String(decoding: try CommandJSON.encoder.encode(result), as: UTF8.self))
    }
}
