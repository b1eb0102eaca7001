import Foundation
import LooplineTestSupport
import Projections
import Testing

/// The Planning read model on a small history whose answers are worked out by hand below.
@Suite("Planning read model")
struct PlanningReadModelTests {
    /// Eight stories in October 2026 (5 October is a Monday). Cycle times of the completed
    /// ones: A-1 48 h and A-2 12 h (web), A-3 72 h (api).
    static func history(_ harness: ProjectionHarness) async throws {
        func story(_ id: String, _ priority: Int, _ service: String, _ created: String, team: String? = nil) async throws {
            let team = team.map { #", "team": "\#($0)""# } ?? ""
            try await harness.send("create-story", #"{"storyId": "\#(id)", "title": "Story \#(id)", "priority": \#(priority), "service": "\#(service)"\#(team), "occurredAt": "\#(created)"}"#)
        }
        func move(_ command: String, _ id: String, _ service: String, _ at: String, extra: String = "") async throws {
            try await harness.send(command, #"{"storyId": "\#(id)", "service": "\#(service)", "occurredAt": "\#(at)"\#(extra)}"#)
        }
        try await story("A-1", 2, "web", "2026-10-05T09:00:00Z")
        try await story("A-2", 1, "web", "2026-10-05T10:00:00Z")
        try await story("A-3", 3, "api", "2026-10-06T09:00:00Z", team: "core")
        try await story("A-4", 1, "web", "2026-10-07T09:00:00Z")
        try await story("A-5", 2, "web", "2026-10-07T10:00:00Z")
        try await story("A-6", 5, "web", "2026-10-08T09:00:00Z")
        try await story("A-7", 3, "api", "2026-10-09T09:00:00Z")
        try await story("A-8", 2, "api", "2026-10-09T10:00:00Z")
        try await move("start-story", "A-1", "web", "2026-10-06T09:00:00Z")
        try await move("complete-story", "A-1", "web", "2026-10-08T09:00:00Z")
        try await move("start-story", "A-2", "web", "2026-10-12T09:00:00Z")
        try await move("complete-story", "A-2", "web", "2026-10-12T21:00:00Z")
        try await move("start-story", "A-3", "api", "2026-10-13T00:00:00Z")
        try await move("complete-story", "A-3", "api", "2026-10-16T00:00:00Z")
        try await move("prioritize-story", "A-4", "web", "2026-10-08T09:00:00Z", extra: #", "priority": 4"#)
        try await move("start-story", "A-5", "web", "2026-10-14T09:00:00Z")
        try await move("cancel-story", "A-6", "web", "2026-10-09T09:00:00Z", extra: #", "reason": "duplicate of A-1""#)
        try await move("start-story", "A-8", "api", "2026-10-15T09:00:00Z")
    }

    static func ids(_ object: [String: Any], _ key: String = "stories") -> [String] {
        (object[key] as? [[String: Any]] ?? []).compactMap { $0["storyId"] as? String }
    }

    @Test("stories, backlog, WIP, weekly throughput and cycle time match the hand-worked answers")
    func planningQueries() async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db)
            try await Self.history(harness)
            try await harness.withWorkers { _ in
                try await harness.caughtUp()

                let all = try await harness.query("planning", "stories")
                #expect(Self.ids(all) == ["A-8", "A-7", "A-6", "A-5", "A-4", "A-3", "A-2", "A-1"], "newest first")
                let cancelled = try await harness.query("planning", "stories", ["status": "cancelled"])
                let a6 = try #require((cancelled["stories"] as? [[String: Any]])?.first)
                #expect(a6["storyId"] as? String == "A-6")
                #expect(a6["cancelReason"] as? String == "duplicate of A-1")
                #expect(a6["cancelledAt"] as? String == "2026-10-09T09:00:00+00:00")
                let a4 = try #require((try await harness.query("planning", "stories", ["status": "backlog", "service": "web"])["stories"] as? [[String: Any]])?.first)
                #expect(a4["priority"] as? Int == 4, "reprioritised from 1")
                #expect(a4["prioritizedAt"] as? String == "2026-10-08T09:00:00+00:00")

                #expect(Self.ids(try await harness.query("planning", "backlog")) == ["A-7", "A-4"], "priority 3 before 4")
                #expect(Self.ids(try await harness.query("planning", "backlog", ["service": "api"])) == ["A-7"])
                #expect(Self.ids(try await harness.query("planning", "backlog", ["limit": "1"])) == ["A-7"])

                let wip = try await harness.query("planning", "wip")
                #expect(wip["total"] as? Int == 2)
                #expect(Self.ids(wip) == ["A-5", "A-8"], "oldest start first")
                let byService = try #require(wip["byService"] as? [[String: Any]])
                #expect(byService.map { "\($0["service"]!)=\($0["count"]!)" } == ["api=1", "web=1"])
                #expect(try await harness.query("planning", "wip", ["team": "core"])["total"] as? Int == 0)

                let weeks = try #require(try await harness.query("planning", "throughput", ["weeks": "3", "to": "2026-10-20"])["weeks"] as? [[String: Any]])
                #expect(weeks.map { "\($0["weekStart"]!)=\($0["completed"]!)" } == ["2026-10-05=1", "2026-10-12=2", "2026-10-19=0"])

                let cycle = try await harness.query("planning", "cycle-time", ["from": "2026-10-01", "to": "2026-11-01"])
                #expect(cycle["count"] as? Int == 3)
                #expect(cycle["p50Hours"] as? Double == 48)
                #expect(cycle["p85Hours"] as? Double == 64.8, "48 + 0.7 × (72 − 48)")
                let perService = try #require(cycle["byService"] as? [[String: Any]])
                #expect(perService.map { $0["service"] as? String } == ["api", "web"])
                #expect(perService.map { $0["count"] as? Int } == [1, 2])
                #expect(perService.map { $0["p50Hours"] as? Double } == [72, 30], "web: the mean of 12 and 48")
                #expect(perService.map { $0["p85Hours"] as? Double } == [72, 42.6], "web: 12 + 0.85 × (48 − 12)")
                let early = try await harness.query("planning", "cycle-time", ["from": "2026-10-01", "to": "2026-10-10"])
                #expect(early["count"] as? Int == 1, "only A-1 completed before 10 October")
            }
        }
    }

    @Test("bad query parameters are refused with a stable code", arguments: [
        ("backlog", ["limit": "0"], "limit"),
        ("backlog", ["limit": "x"], "limit"),
        ("stories", ["status": "finished"], "status"),
        ("throughput", ["weeks": "200"], "weeks"),
        ("cycle-time", ["from": "yesterday"], "from"),
        ("cycle-time", ["from": "2026-10-10", "to": "2026-10-01"], "from"),
        ("wip", ["colour": "red"], "colour"),
    ])
    func badParameters(query: String, arguments: [String: String], field: String) async throws {
        try await TestDatabase.with { db in
            let harness = ProjectionHarness(db)
            try await harness.withWorkers { _ in
                try await harness.caughtUp()
                let error = await #expect(throws: QueryError.self) { try await harness.query("planning", query, arguments) }
                #expect(error?.code == "invalid_parameter")
                #expect(error?.field == field)
            }
        }
    }

    @Test("an unknown stage or query names what exists")
    func unknownQuery() throws {
        let stage = #expect(throws: QueryError.self) { try ReadModelQueries.find(stage: "nowhere", name: "x") }
        #expect(stage?.code == "unknown_query")
        #expect(stage?.message.contains("planning") == true)
        let query = #expect(throws: QueryError.self) { try ReadModelQueries.find(stage: "planning", name: "velocity") }
        #expect(query?.field == "query")
        #expect(query?.message.contains("backlog") == true)
    }
}
