import EventStore
@testable import Exports
import Foundation
import LooplineTestSupport
import Postgres
import Synchronization
import Testing

@Suite("Event export")
struct EventExportTests {
    /// Runs an export of the log into memory.
    func export(_ db: TestDatabase, _ format: ExportFormat, since: Int64 = 0, filters: ExportFilters = .init()) async throws -> (String, ExportManifest) {
        let buffer = Mutex(Data())
        var filters = filters
        filters.since = since
        let manifest = try await Exporter(store: db.store).run(ExportRequest(name: "events", format: format, filters: filters)) { bytes in
            buffer.withLock { $0.append(contentsOf: bytes) }
        }
        return (String(decoding: buffer.withLock { $0 }, as: UTF8.self), manifest)
    }

    static let tricky = [
        #"{"note": "a, b", "quote": "she said \"hi\"", "lines": "one\ntwo\r\nthree", "emoji": "🚀✨", "empty": "", "none": null}"#,
        #"{"sql": "x'); DROP TABLE events; --", "tab": "a\tb", "backslash": "C:\\path"}"#,
        #"{}"#,
    ]

    func databaseRows(_ db: TestDatabase) async throws -> [[String?]] {
        try await db.client.withConnection { connection in
            try connection.query(
                """
                SELECT global_position::text, event_id::text, stream_id, stream_version::text, type, schema_version::text,
                       data::text, metadata::text, recorded_at FROM events ORDER BY events.global_position
                """
            ).rows.map { row in
                // Times as RFC 3339 UTC with microseconds, formatted here by Swift, not by the export's SQL.
                try (0..<8).map { try row.decode($0, as: String?.self) } + [PostgresTimestamp.format(try row.decode(8, as: Date.self))]
            }
        }
    }

    @Test("CSV parses back, by a separate reader, to exactly the database rows: commas, quotes, newlines, emoji, empty and null")
    func csvRoundTrip() async throws {
        try await TestDatabase.with { db in
            for (index, data) in Self.tricky.enumerated() {
                _ = try await db.store.append(
                    [NewEvent(type: "Note", data: data, metadata: #"{"by": "te,st\n\"x\""}"#)], to: try StreamName("note-\(index)"))
            }
            let (csv, manifest) = try await export(db, .csv)
            let parsed = CSVReader.rows(csv)
            #expect(parsed.first == EventExport.columns.map { Optional($0) }, "a header row")
            #expect(Array(parsed.dropFirst()) == (try await databaseRows(db)))
            #expect(manifest.rows == 3)
            #expect(manifest.afterPosition == 0)
            #expect(manifest.throughPosition == 3)
            #expect(csv.contains("🚀✨"), "UTF-8 as is")
        }
    }

    @Test("JSON Lines: one object per line with the event's fields and data as JSON")
    func jsonLines() async throws {
        try await TestDatabase.with { db in
            for (index, data) in Self.tricky.enumerated() {
                _ = try await db.store.append([NewEvent(type: "Note", data: data)], to: try StreamName("note-\(index)"))
            }
            _ = try await db.store.append([NewEvent(type: "Other", data: "{}")], to: try StreamName("other-1"))
            let (jsonl, manifest) = try await export(db, .jsonl, filters: .init(types: ["Note"]))
            let lines = jsonl.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == 3, "only the type asked for")
            #expect(manifest.throughPosition == 4)
            for (index, line) in lines.enumerated() {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(object["position"] as? Int == index + 1)
                #expect(object["stream"] as? String == "note-\(index)")
                let expected = try JSONSerialization.jsonObject(with: Data(Self.tricky[index].utf8)) as? NSDictionary
                #expect((object["data"] as? NSDictionary) == expected)
            }
        }
    }

    @Test("service, team and recorded-time filters keep the events a user expects, and the manifest records them")
    func filters() async throws {
        try await TestDatabase.with { db in
            let events = [#"{"service": "web", "team": "core"}"#, #"{"service": "api"}"#, #"{"service": "web", "team": "growth"}"#, "{}"]
            for (index, data) in events.enumerated() {
                _ = try await db.store.append([NewEvent(type: "Note", data: data)], to: try StreamName("note-\(index)"))
                if index == 1 { try await Task.sleep(for: .milliseconds(20)) }
            }
            let cut = try await db.client.withConnection { connection in
                try connection.query("SELECT recorded_at FROM events WHERE global_position = 3")[0].decode(0, as: Date.self)
            }
            func positions(_ filters: ExportFilters) async throws -> [String?] {
                CSVReader.rows(try await export(db, .csv, filters: filters).0).dropFirst().map { $0[0] }
            }
            #expect(try await positions(.init(service: "web")) == ["1", "3"])
            #expect(try await positions(.init(service: "web", team: "growth")) == ["3"])
            #expect(try await positions(.init(from: cut)) == ["3", "4"], "from is inclusive")
            #expect(try await positions(.init(to: cut)) == ["1", "2"], "to is exclusive")
            let (_, manifest) = try await export(db, .jsonl, filters: .init(service: "web"))
            #expect(manifest.filters == ExportFilters(service: "web"))
            #expect(manifest.throughPosition == 4, "the position reached, whatever the filter kept")
            #expect(throws: ExportError.self) { try manifest.continuation(for: ExportRequest(name: "events", format: .jsonl, filters: .init(service: "api"))) }
            #expect(try manifest.continuation(for: ExportRequest(name: "events", format: .jsonl, filters: .init(since: 2, service: "web"))) == 4)
        }
    }

    @Test("an export reaches the head of a log longer than one horizon window (10,000 positions)")
    func longLog() async throws {
        try await TestDatabase.with { db in
            for batch in 0..<250 {
                _ = try await db.store.append(
                    (0..<100).map { NewEvent(type: "Tick", data: #"{"n": \#($0)}"#) }, to: try StreamName("tick-\(batch)"))
            }
            let (jsonl, manifest) = try await export(db, .jsonl)
            #expect(manifest.throughPosition == 25_000)
            #expect(manifest.rows == 25_000)
            #expect(jsonl.split(separator: "\n").count == 25_000)
        }
    }

    @Test("three incremental exports with appends in between and during: no gap, no duplicate, manifests match their content")
    func incremental() async throws {
        try await TestDatabase.with { db in
            func append(_ count: Int, _ label: String) async throws {
                for index in 0..<count {
                    _ = try await db.store.append([NewEvent(type: "Tick", data: #"{"n": \#(index)}"#)], to: try StreamName("tick-\(label)-\(index)"))
                }
            }
            try await append(50, "a")
            var since: Int64 = 0
            var exported: [Int64] = []
            for round in 0..<3 {
                let writer = Task { try await append(40, "during\(round)") }
                let (csv, manifest) = try await export(db, .csv, since: since)
                try await writer.value
                let positions = CSVReader.rows(csv).dropFirst().compactMap { $0.first.flatMap { $0.flatMap { Int64($0) } } }
                #expect(positions.allSatisfy { $0 > since && $0 <= manifest.throughPosition })
                #expect(manifest.rows == positions.count)
                #expect(manifest.afterPosition == since)
                exported += positions
                since = manifest.throughPosition
                try await append(30, "between\(round)")
            }
            let (_, last) = try await export(db, .csv, since: since)
            let (rest, _) = try await export(db, .csv, since: since)
            exported += CSVReader.rows(rest).dropFirst().compactMap { $0.first.flatMap { $0.flatMap { Int64($0) } } }
            #expect(Set(exported).count == exported.count, "no duplicate")
            let all = try await databaseRows(db).compactMap { $0[0].flatMap { Int64($0) } }
            #expect(exported.sorted() == all.filter { $0 <= last.throughPosition }, "no gap")
        }
    }
}
