import Foundation
import JSON
import Lifecycle
import Testing

@testable import Seeding

@Suite("History generator")
struct HistoryGeneratorTests {
    static let end = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test("the same seed gives byte-identical commands; another seed another history")
    func determinism() {
        let first = HistoryGenerator(seed: 42, events: 3_000, end: Self.end).commands()
        let again = HistoryGenerator(seed: 42, events: 3_000, end: Self.end).commands()
        let other = HistoryGenerator(seed: 43, events: 3_000, end: Self.end).commands()
        #expect(first.count == 3_000)
        #expect(first == again)
        #expect(first.map(\.body) == again.map(\.body))
        #expect(other.count == 3_000)
        #expect(first != other)
    }

    @Test("the history spans weeks and ends shortly before the end, never after it")
    func timeline() throws {
        let commands = HistoryGenerator(seed: 7, events: 2_000, end: Self.end).commands()
        let times = try commands.map { try #require(Self.occurredAt($0)) }
        let last = try #require(times.max())
        let first = try #require(times.min())
        #expect(last <= Self.end)
        #expect(Self.end.timeIntervalSince(last) < 600)
        #expect(last.timeIntervalSince(first) > 14 * 86_400)
        #expect(times == times.sorted())
    }

    @Test(
        "every command is accepted by the deciders in order, and every event type occurs",
        arguments: [(UInt64(1), 2_000), (2, 2_000), (3, 150), (4, 20_000)])
    func acceptedInOrder(seed: UInt64, events: Int) throws {
        let commands = HistoryGenerator(seed: seed, events: events, end: Self.end).commands()
        #expect(commands.count == events)
        var states: [String: StreamState] = [:]
        var types: Set<String> = []
        for (index, seeded) in commands.enumerated() {
            do {
                let command = try Command.decode(name: seeded.name, json: seeded.body)
                var related: [String: StreamState] = [:]
                for id in command.relatedStreamIds { related[id] = states[id] ?? .empty }
                let decided = try Decider.decide(
                    command, state: states[command.streamId] ?? .empty, related: related, now: Self.end, policy: Policy())
                #expect(decided.count == 1)
                for event in decided {
                    states[command.streamId] = Decider.evolve(states[command.streamId] ?? .empty, event)
                    types.insert(event.type)
                }
            } catch {
                Issue.record("#\(index) \(seeded.name) \(String(decoding: seeded.body, as: UTF8.self)): \(error)")
                return
            }
        }
        if events >= 2_000 {
            #expect(Set(DomainEvent.types).subtracting(types).isEmpty, "missing: \(Set(DomainEvent.types).subtracting(types))")
        }
    }

    @Test("commit messages name their story, which is also in storyIds")
    func commitsNameTheirStory() throws {
        let commits = HistoryGenerator(seed: 5, events: 1_000, end: Self.end).commands().filter { $0.name == "integrate-commit" }
        #expect(!commits.isEmpty)
        for commit in commits {
            let object = try #require(try JSONSerialization.jsonObject(with: commit.body) as? [String: Any])
            let message = try #require(object["message"] as? String)
            let storyIds = try #require(object["storyIds"] as? [String])
            #expect(Lifecycle.storyIds(inCommitMessage: message) == storyIds)
        }
    }

    static func occurredAt(_ command: GeneratedCommand) -> Date? {
        guard let object = try? JSONSerialization.jsonObject(with: command.body) as? [String: Any],
            let text = object["occurredAt"] as? String
        else { return nil }
        return ISO8601Timestamp.parse(text)
    }
}
