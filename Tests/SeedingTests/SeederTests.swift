import EventStore
import Foundation
import Lifecycle
import LooplineTestSupport
import Postgres
import Seeding
import Testing

@Suite("Seeder against the real PostgreSQL")
struct SeederTests {
    @Test("2,000 events: every command recorded in stream order, nothing refused, every event type present")
    func seedsEveryCommand() async throws {
        try await TestDatabase.with { db in
            let commands = HistoryGenerator(seed: 11, events: 2_000, end: Date()).commands()
            let seeder = Seeder(store: db.store, batchSize: 300, logger: TestEnvironment.logger())
            var reported: [Int] = []
            let summary = await seeder.run(commands, seed: 11) { reported.append($0.done) }

            #expect(summary.refused == 0, "\(summary.refusals)")
            #expect(summary.commands == 2_000)
            #expect(summary.events == 2_000)
            #expect(summary.replayed == 0)
            // Progress after each batch of 300.
            #expect(reported == Array(stride(from: 300, to: 2_000, by: 300)) + [2_000])
            let (count, types, outOfOrder) = try await db.client.withConnection { connection in
                let count = try connection.query("SELECT count(*) FROM events")[0].decode(0, as: Int.self)
                let types = try connection.query("SELECT DISTINCT type FROM events").column(0, as: String.self)
                // Within a stream, versions follow the times things happened.
                let outOfOrder = try connection.query(
                    """
                    SELECT count(*) FROM (
                        SELECT (data->>'occurredAt')::timestamptz AS occurred,
                            lag((data->>'occurredAt')::timestamptz) OVER (PARTITION BY stream_id ORDER BY stream_version) AS before
                        FROM events) AS timeline
                    WHERE occurred < before
                    """)[0].decode(0, as: Int.self)
                return (count, Set(types), outOfOrder)
            }
            #expect(count == 2_000)
            #expect(types == Set(DomainEvent.types), "missing: \(Set(DomainEvent.types).subtracting(types))")
            #expect(outOfOrder == 0)
        }
    }

    @Test("running the same seed again replays every command and writes nothing")
    func rerunWritesNothing() async throws {
        try await TestDatabase.with { db in
            let end = Date()
            let commands = HistoryGenerator(seed: 12, events: 600, end: end).commands()
            let first = await Seeder(store: db.store, logger: TestEnvironment.logger()).run(commands, seed: 12)
            #expect(first.refused == 0, "\(first.refusals)")
            #expect(first.events == 600)
            let head = try await db.store.headPosition()

            // A new seeder (a new handler, with nothing cached), as a second process would be.
            let seeder = Seeder(store: db.store, logger: TestEnvironment.logger())
            let again = await seeder.run(commands, seed: 12)
            #expect(again.refused == 0, "\(again.refusals)")
            #expect(again.events == 0)
            #expect(again.replayed == 600)
            #expect(try await db.store.headPosition() == head)

            // Generated an hour later, the history moves; the earlier run's offset moves it back.
            let later = HistoryGenerator(seed: 12, events: 600, end: end.addingTimeInterval(3_600)).commands()
            #expect(later != commands)
            let offset = try #require(try await seeder.earlierRunOffset(of: later, seed: 12))
            #expect(offset == -3_600)
            let realigned = HistoryGenerator(seed: 12, events: 600, end: end.addingTimeInterval(3_600 + offset)).commands()
            #expect(realigned == commands)
            #expect(try await seeder.earlierRunOffset(of: commands, seed: 13) == nil)
        }
    }
}
