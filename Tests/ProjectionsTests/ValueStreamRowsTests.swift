import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Seeding
import Testing

@Suite("Value stream of every story, as rows")
struct ValueStreamRowsTests {
    typealias JSON = [String: Any]
    /// A row as text by column; a NULL column is absent.
    typealias Row = [String: String]

    /// Every row of the view `analytics.value_stream`, by story.
    static func rows(_ db: TestDatabase) async throws -> [String: Row] {
        let result = try await db.client.withConnection { connection in
            try connection.query("SELECT * FROM analytics.value_stream")
        }
        #expect(result.columnCount == ValueStreamRows.columns.count, "exactly the documented columns")
        #expect(ValueStreamRows.columns.enumerated().allSatisfy { result.columnIndex($0.element) == $0.offset }, "in order")
        var rows: [String: Row] = [:]
        for row in result.rows {
            var values: Row = [:]
            for (index, column) in ValueStreamRows.columns.enumerated() {
                values[column] = try row.decode(index, as: String?.self)
            }
            rows[values["story_id"] ?? ""] = values
        }
        return rows
    }

    /// A `timestamptz` column's text as a date.
    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return Array(text.utf8).withUnsafeBufferPointer { try? Date(postgresText: $0) }
    }

    static func iso(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    @Test("the history of ValueStreamTests: the story's row holds the figures worked out by hand")
    func handWritten() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await ValueStreamTests.history(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let rows = try await Self.rows(db)
                #expect(rows.keys.sorted() == ["VS-1"], "OTHER-9 is named by a commit but is no story")
                let row = try #require(rows["VS-1"])
                #expect(row["title"] == "Export" && row["service"] == "web" && row["team"] == nil)
                #expect(row["status"] == "in_progress" && row["priority"] == "3")
                #expect(Self.date(row["created_at"]) == Self.iso("2026-10-05T09:00:00Z"))
                #expect(Self.date(row["started_at"]) == Self.iso("2026-10-05T13:00:00Z"))
                // d0000001 (by message) and d0000002 (by storyIds); d0000002 is the later.
                #expect(row["final_sha"] == "d0000002" && row["commits"] == "2")
                // bvs1 failed; bvs2 passed at 17:00. The test run at 18:30 is after it.
                #expect(Self.date(row["built_at"]) == Self.iso("2026-10-06T17:00:00Z"))
                #expect(Self.date(row["tested_at"]) == Self.iso("2026-10-06T18:30:00Z"))
                // dep-p ships d0000003 (integrated 7 Oct 09:00, after d0000002), so it contains it.
                #expect(Self.date(row["production_at"]) == Self.iso("2026-10-07T18:30:00Z"))
                #expect(Self.date(row["released_at"]) == Self.iso("2026-10-08T09:00:00Z"))
                // 9:00→13:00; →16:00 next day; →17:00; →18:30; →18:30 next day; →09:00 next day.
                #expect([row["plan_hours"], row["code_hours"], row["build_hours"], row["test_hours"], row["deploy_hours"],
                         row["release_hours"]] == ["4.00", "27.00", "1.00", "1.50", "24.00", "14.50"])
                #expect(row["bottleneck"] == "code")
                // 5 Oct 09:00 → 7 Oct 18:30.
                #expect(row["lead_time_hours"] == "57.50")
                // inc-vs names dep-p; fb-vs names the story; imp-vs answers fb-vs.
                #expect(row["incidents"] == "1" && row["feedback"] == "1" && row["improvements"] == "1")
            }
        }
    }

    @Test("a seeded history: every story's row agrees with the per-story value stream")
    func agreesWithPerStoryQuery() async throws {
        try await TestDatabase.with { db in
            let commands = HistoryGenerator(seed: 7, events: 10_000, end: Date()).commands()
            let summary = await Seeder(store: db.store, logger: TestEnvironment.logger()).run(commands, seed: 7)
            #expect(summary.refused == 0, "\(summary.refusals)")
            let h = ProjectionHarness(db)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let rows = try await Self.rows(db)
                let stories = try await db.client.withConnection { connection in
                    try connection.query("SELECT story_id FROM planning.stories").column(0, as: String.self)
                }
                #expect(rows.count == stories.count && stories.count > 300)
                for story in stories {
                    let stream = try await h.query("value-stream", "story", ["storyId": story])
                    let row = try #require(rows[story])
                    let steps = try #require(stream["steps"] as? [JSON])
                    let expected = steps.map { ($0["hours"] as? NSNumber).map { String(format: "%.2f", $0.doubleValue) } }
                    let actual = ["plan", "code", "build", "test", "deploy", "release"].map { row["\($0)_hours"] }
                    #expect(actual == expected, "\(story) steps")
                    let ends = steps.map { ($0["to"] as? String).flatMap(Self.iso) }
                    #expect([row["built_at"], row["tested_at"], row["production_at"], row["released_at"]].map(Self.date)
                            == Array(ends[2...]), "\(story) times")
                    #expect(row["bottleneck"] == stream["bottleneck"] as? String, "\(story) bottleneck")
                    let leadTime = (stream["leadTimeHours"] as? NSNumber).map { String(format: "%.2f", $0.doubleValue) }
                    #expect(row["lead_time_hours"] == leadTime, "\(story) lead time")
                    #expect(row["final_sha"] == stream["finalCommit"] as? String, "\(story) final commit")
                    for list in ["commits", "incidents", "feedback", "improvements"] {
                        #expect(row[list] == "\((stream[list] as? [JSON])?.count ?? -1)", "\(story) \(list)")
                    }
                }
                // The history reaches every branch the rows compute.
                func some(_ column: String, _ test: (String?) -> Bool) -> Bool { rows.values.contains { test($0[column]) } }
                #expect(some("production_at") { $0 != nil } && some("production_at") { $0 == nil })
                #expect(some("released_at") { $0 != nil } && some("tested_at") { $0 == nil } && some("final_sha") { $0 == nil })
                #expect(some("incidents") { $0 != "0" } && some("feedback") { $0 != "0" } && some("improvements") { $0 != "0" })
                #expect(Set(rows.values.compactMap { $0["bottleneck"] }).count >= 3)
            }
        }
    }
}
