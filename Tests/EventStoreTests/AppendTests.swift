import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("Appending and reading")
struct AppendTests {
    @Test("an append records events with versions, positions and payloads that read back exactly")
    func appendAndRead() async throws {
        try await TestDatabase.with { db in
            let stream = try StreamName("story-PROJ-1")
            let first = try await db.store.append(
                [NewEvent(type: "StoryCreated", data: #"{"title": "Login, \"quoted\"\n✓"}"#, metadata: #"{"actor": "ana"}"#)],
                to: stream, expected: .noStream)
            let second = try await db.store.append(
                [NewEvent(type: "StoryPrioritized", data: #"{"priority": 1}"#), NewEvent(type: "StoryStarted", schemaVersion: 2)],
                to: stream, expected: .exact(1))
            #expect(first.streamVersion == 1)
            #expect(second.events.map(\.streamVersion) == [2, 3])
            #expect(second.events[0].position > first.position)
            #expect(second.events[1].position > second.events[0].position)
            #expect(!first.duplicate)

            let events = try await db.store.read(stream: stream)
            #expect(events.map(\.type) == ["StoryCreated", "StoryPrioritized", "StoryStarted"])
            #expect(events.map(\.streamVersion) == [1, 2, 3])
            #expect(events[0].data == #"{"title": "Login, \"quoted\"\n✓"}"#)
            #expect(events[0].metadata == #"{"actor": "ana"}"#)
            #expect(events[2].schemaVersion == 2)
            #expect(try await db.store.read(stream: stream, afterVersion: 2).map(\.streamVersion) == [3])
            #expect(try await db.store.read(stream: stream, afterVersion: 0, limit: 1).count == 1)
        }
    }

    @Test("reading all and by category follows log order")
    func readAllAndCategory() async throws {
        try await TestDatabase.with { db in
            for index in 1...3 {
                _ = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-\(index)"))
                _ = try await db.store.append([NewEvent(type: "BuildPassed")], to: try StreamName("build-\(index)"))
            }
            let all = try await db.store.readAll()
            #expect(all.map(\.position) == all.map(\.position).sorted())
            #expect(all.count == 6)
            let builds = try await db.store.read(category: "build")
            #expect(builds.map(\.stream) == ["build-1", "build-2", "build-3"])
            let later = try await db.store.readAll(after: all[3].position, limit: 1)
            #expect(later.map(\.position) == [all[4].position])
        }
    }

    @Test("concurrent appends to one stream all land, in consecutive versions")
    func raceForOneStream() async throws {
        try await TestDatabase.with(maxConnections: 4) { db in
            let stream = try StreamName("build-race")
            // Without an expected version none may be refused: each takes the next version, in
            // whatever order the writers commit them.
            for wave in 0..<10 {
                let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await db.store.append([NewEvent(type: "Step")], to: stream).streamVersion }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(versions) == Set(Int64(wave * 8 + 1)...Int64(wave * 8 + 8)))
            }
            #expect(try await db.store.read(stream: stream).map(\.streamVersion) == Array(Int64(1)...80))
        }
    }

    @Test("exactly one of many appends with the same expected version wins")
    func oneWinnerPerExpectedVersion() async throws {
        try await TestDatabase.with(maxConnections: 16) { db in
            let stream = try StreamName("deployment-race")
            _ = try await db.store.append([NewEvent(type: "DeploymentStarted")], to: stream)
            for expected in Int64(1)...5 {
                let outcomes = await withTaskGroup(of: Result<AppendResult, any Error>.self) { group in
                    for _ in 0..<10 {
                        group.addTask {
                            do {
                                return .success(try await db.store.append([NewEvent(type: "Step")], to: stream, expected: .exact(expected)))
                            } catch { return .failure(error) }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                let winners = outcomes.compactMap { try? $0.get() }
                let conflicts = outcomes.compactMap { outcome -> EventStoreError? in
                    if case .failure(let error) = outcome { return error as? EventStoreError }
                    return nil
                }
                #expect(winners.count == 1)
                #expect(winners.first?.streamVersion == expected + 1)
                #expect(conflicts.count == 9)
                #expect(conflicts.allSatisfy { $0.code == .wrongExpectedVersion && $0.actualVersion == expected + 1 })
            }
            #expect(try await db.eventCount() == 6)
        }
    }

    @Test("no-stream and exists are enforced")
    func noStreamAndExists() async throws {
        try await TestDatabase.with { db in
            let stream = try StreamName("incident-1")
            let missing = await #expect(throws: EventStoreError.self) {
                try await db.store.append([NewEvent(type: "IncidentResolved")], to: stream, expected: .streamExists)
            }
            #expect(missing?.code == .wrongExpectedVersion)
            #expect(missing?.actualVersion == 0)
            _ = try await db.store.append([NewEvent(type: "IncidentOpened")], to: stream, expected: .noStream)
            let again = await #expect(throws: EventStoreError.self) {
                try await db.store.append([NewEvent(type: "IncidentOpened")], to: stream, expected: .noStream)
            }
            #expect(again?.actualVersion == 1)
            _ = try await db.store.append([NewEvent(type: "IncidentResolved")], to: stream, expected: .streamExists)
            #expect(try await db.eventCount() == 2)
        }
    }

    @Test("twenty parallel appends with expected version any give twenty events")
    func twentyParallelAny() async throws {
        try await TestDatabase.with(maxConnections: 20) { db in
            let stream = try StreamName("build-parallel")
            try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for index in 0..<20 {
                    group.addTask { try await db.store.append([NewEvent(type: "BuildStarted", data: #"{"n": \#(index)}"#)], to: stream) }
                }
                try await group.waitForAll()
            }
            let events = try await db.store.read(stream: stream)
            #expect(events.count == 20)
            #expect(events.map(\.streamVersion) == Array(1...20))
            #expect(Set(events.map(\.data)).count == 20)
        }
    }

    @Test("a duplicate event id returns the original result and writes nothing")
    func duplicateEventId() async throws {
        try await TestDatabase.with { db in
            let stream = try StreamName("commit-abc")
            let events = [NewEvent(type: "CommitIntegrated"), NewEvent(type: "CommitIntegrated")]
            let original = try await db.store.append(events, to: stream, expected: .noStream)
            let retried = try await db.store.append(events, to: stream)
            // A retry that still carries the expected version of the first attempt.
            let retriedExact = try await db.store.append(events, to: stream, expected: .noStream)
            #expect(retried.duplicate && retriedExact.duplicate)
            #expect(retried.events == original.events)
            #expect(retriedExact.events == original.events)
            #expect(try await db.eventCount() == 2)

            let elsewhere = await #expect(throws: EventStoreError.self) {
                try await db.store.append([events[0]], to: try StreamName("commit-other"))
            }
            #expect(elsewhere?.code == .duplicateEventId)
            let partly = await #expect(throws: EventStoreError.self) {
                try await db.store.append([events[0], NewEvent(type: "CommitIntegrated")], to: stream)
            }
            #expect(partly?.code == .duplicateEventId)
            #expect(try await db.eventCount() == 2)
        }
    }

    @Test("concurrent retries of one append record it once")
    func concurrentDuplicates() async throws {
        try await TestDatabase.with(maxConnections: 10) { db in
            let stream = try StreamName("feedback-1")
            let event = NewEvent(type: "FeedbackReceived", data: #"{"rating": 4}"#)
            let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<10 { group.addTask { try await db.store.append([event], to: stream) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.duplicate }.count == 1)
            #expect(Set(results.map(\.position)).count == 1)
            #expect(try await db.eventCount() == 1)
        }
    }

    @Test("bad input is refused with a code and writes nothing")
    func badInput() async throws {
        try await TestDatabase.with { db in
            let stream = try StreamName("story-bad")
            let attempts: [(NewEvent, EventStoreError.Code)] = [
                (NewEvent(type: "Bad Type"), .invalidEventType),
                (NewEvent(type: "1Type"), .invalidEventType),
                (NewEvent(type: "Ok", data: "[1]"), .invalidJSON),
                (NewEvent(type: "Ok", data: "{\"a\":"), .invalidJSON),
                (NewEvent(type: "Ok", metadata: "null"), .invalidJSON),
                (NewEvent(type: "Ok", data: #"{"a": "\u0000"}"#), .invalidJSON),
                // Numbers no reader could read back as themselves (a projection would stop there).
                (NewEvent(type: "Ok", data: #"{"durationSeconds": 1e-400}"#), .invalidJSON),
                (NewEvent(type: "Ok", data: #"{"a": [1, {"b": 1e400}]}"#), .invalidJSON),
                (NewEvent(type: "Ok", schemaVersion: 0), .invalidArgument),
                (NewEvent(type: "Ok", data: #"{"log": "\#(String(repeating: "x", count: EventStore.maximumEventBytes))"}"#), .eventTooLarge),
            ]
            for (event, code) in attempts {
                let error = await #expect(throws: EventStoreError.self) { try await db.store.append([event], to: stream) }
                #expect(error?.code == code)
            }
            let empty = await #expect(throws: EventStoreError.self) { try await db.store.append([], to: stream) }
            #expect(empty?.code == .invalidArgument)
            let twice = NewEvent(type: "Ok")
            let repeated = await #expect(throws: EventStoreError.self) { try await db.store.append([twice, twice], to: stream) }
            #expect(repeated?.code == .duplicateEventId)
            #expect(try await db.eventCount() == 0)
        }
    }

    @Test("the database refuses UPDATE, DELETE and TRUNCATE on events, even in replica mode")
    func appendOnly() async throws {
        try await TestDatabase.with { db in
            _ = try await db.store.append([NewEvent(type: "StoryCreated")], to: try StreamName("story-1"))
            for statement in [
                "UPDATE events SET type = 'Changed'", "DELETE FROM events", "TRUNCATE events",
                "SET session_replication_role = replica; DELETE FROM events",
            ] {
                let error = await #expect(throws: (any Error).self) {
                    try await db.client.withConnection { connection in _ = try connection.execute(statement) }
                }
                #expect("\(error.map { "\($0)" } ?? "")".contains("append-only"))
            }
            #expect(try await db.eventCount() == 1)
        }
    }
}

@Suite("Combining concurrent appends")
struct CombinedAppendTests {
    @Test("concurrent appends share transactions, yet each keeps its own outcome")
    func mixedOutcomes() async throws {
        try await TestDatabase.with(maxConnections: 4) { db in
            // Streams that already exist, and an event that is already recorded.
            for index in 0..<10 {
                _ = try await db.store.append([NewEvent(type: "BuildStarted")], to: try StreamName("build-old\(index)"))
            }
            let recorded = NewEvent(type: "BuildPassed")
            let original = try await db.store.append([recorded], to: try StreamName("build-recorded"))
            let before = db.store.appendStatistics

            enum Kind: Sendable { case fresh, batch, conflict, duplicate }
            let plan: [(Kind, Int)] = (0..<10).map { (.fresh, $0) } + (0..<5).map { (.batch, $0) }
                + (0..<10).map { (.conflict, $0) } + (0..<5).map { (.duplicate, $0) }
            let outcomes = await withTaskGroup(of: (Kind, Result<AppendResult, any Error>).self) { group in
                for (kind, index) in plan {
                    group.addTask {
                        do {
                            switch kind {
                            case .fresh:
                                return (kind, .success(try await db.store.append([NewEvent(type: "BuildStarted")], to: try StreamName("build-new\(index)"), expected: .noStream)))
                            case .batch:
                                let events = (0..<3).map { _ in NewEvent(type: "TestRunCompleted") }
                                return (kind, .success(try await db.store.append(events, to: try StreamName("testrun-\(index)"))))
                            case .conflict:
                                return (kind, .success(try await db.store.append([NewEvent(type: "BuildPassed")], to: try StreamName("build-old\(index)"), expected: .noStream)))
                            case .duplicate:
                                return (kind, .success(try await db.store.append([recorded], to: try StreamName("build-recorded"))))
                            }
                        } catch {
                            return (kind, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (kind, outcome) in outcomes {
                switch (kind, outcome) {
                case (.fresh, .success(let result)): #expect(result.streamVersion == 1 && !result.duplicate)
                case (.batch, .success(let result)): #expect(result.events.map(\.streamVersion) == [1, 2, 3])
                case (.conflict, .failure(let error)):
                    #expect((error as? EventStoreError)?.code == .wrongExpectedVersion)
                    #expect((error as? EventStoreError)?.actualVersion == 1)
                case (.duplicate, .success(let result)): #expect(result.duplicate && result.events == original.events)
                default: Issue.record("unexpected outcome for \(kind): \(outcome)")
                }
            }
            #expect(try await db.eventCount() == 10 + 1 + 10 + 15)
            let after = db.store.appendStatistics
            #expect(after.appends - before.appends >= 30)
            #expect(after.transactions - before.transactions < after.appends - before.appends, "some appends were combined")
            #expect(after.conflicts - before.conflicts == 10)
        }
    }
}
