import Dispatch
import EventStore
import Exports
import Foundation
import LooplineTestSupport
import Postgres
import Projections
import Synchronization
import Testing

@Suite("Read-model and DORA exports")
struct ReadModelExportTests {
    typealias JSON = [String: Any]

    /// Runs an export into memory; `onWrite` sees each chunk's index first.
    static func export(
        _ db: TestDatabase, _ name: String, _ format: ExportFormat = .csv, _ filters: ExportFilters = .init(),
        onWrite: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> (text: String, manifest: ExportManifest) {
        let buffer = Mutex((Data(), 0))
        let manifest = try await Exporter(store: db.store).run(
            ExportRequest(name: name, format: format, filters: filters)
        ) { bytes in
            let index = buffer.withLock { state in
                state.1 += 1
                return state.1
            }
            onWrite(index)
            buffer.withLock { $0.0.append(contentsOf: bytes) }
        }
        return (String(decoding: buffer.withLock { $0.0 }, as: UTF8.self), manifest)
    }

    static func head(_ db: TestDatabase) async throws -> Int64 { try await db.store.headPosition() }

    static func stories(_ h: ProjectionHarness) async throws {
        try await h.send("create-story", #"{"storyId": "X-1", "title": "Fix, \"quoted\" and\nnew line 🚀", "priority": 2, "service": "web", "team": "core", "occurredAt": "2026-10-05T09:00:00Z"}"#)
        try await h.send("create-story", #"{"storyId": "X-2", "title": "Ünïcödé ✓", "priority": 1, "service": "api", "occurredAt": "2026-10-06T09:30:00.250Z"}"#)
        try await h.send("create-story", #"{"storyId": "X-3", "title": "x'); DROP TABLE events; --", "priority": 3, "service": "web", "team": "growth", "occurredAt": "2026-10-07T09:00:00Z"}"#)
        try await h.send("cancel-story", #"{"storyId": "X-3", "service": "web", "reason": "a,b\r\nc", "occurredAt": "2026-10-08T09:00:00Z"}"#)
    }

    @Test("a read model exported as CSV and as JSON Lines equals its table, tricky text and NULLs included, and says the position it reflects")
    func datasetEqualsTable() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.stories(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let head = try await Self.head(db)
                let (csv, manifest) = try await Self.export(db, "planning-stories")
                let rows = CSVReader.rows(csv)
                #expect(rows.first == AnalyticsDataset.named("planning-stories")!.columns.map { Optional($0.name) })
                #expect(rows.count == 4)
                let byId = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0]!, $0) })
                // Written out by hand from the commands above.
                #expect(byId["X-1"]?[1] == "Fix, \"quoted\" and\nnew line 🚀")
                #expect(byId["X-1"]?[3] == "core")
                #expect(byId["X-2"]?[1] == "Ünïcödé ✓")
                #expect(byId["X-2"]?[3] == nil, "no team: NULL, an empty unquoted field")
                #expect(byId["X-3"]?[1] == "x'); DROP TABLE events; --")
                #expect(byId["X-3"]?[5] == "cancelled")
                #expect(byId["X-3"]?[11] == "a,b\r\nc")
                #expect(Self.date(byId["X-2"]?[6]) == Date(timeIntervalSince1970: 1_791_279_000.25), "2026-10-06T09:30:00.250Z")
                #expect(Self.date(byId["X-3"]?[10]) == Date(timeIntervalSince1970: 1_791_450_000), "cancelled 2026-10-08T09:00:00Z")
                #expect(manifest.rows == 3)
                #expect(manifest.positions == ["planning": head])
                #expect(manifest.throughPosition == head)

                // Every cell equals the table's value, read back independently.
                let table = try await db.client.withConnection { connection in
                    try connection.query(
                        """
                        SELECT story_id, title, service, team, priority::text, status, created_at, prioritized_at, started_at,
                               completed_at, cancelled_at, cancel_reason, position::text
                          FROM planning.stories ORDER BY story_id
                        """
                    ).rows.map { row in
                        try (0..<13).map { column -> String? in
                            [6, 7, 8, 9, 10].contains(column)
                                ? try row.decode(column, as: Date?.self).map { String($0.timeIntervalSince1970) }
                                : try row.decode(column, as: String?.self)
                        }
                    }
                }
                let exported = rows.dropFirst().map { row in
                    row.enumerated().map { column, value in
                        [6, 7, 8, 9, 10].contains(column) ? Self.date(value).map { String($0.timeIntervalSince1970) } : value
                    }
                }
                #expect(Array(exported) == table)

                let (jsonl, jsonManifest) = try await Self.export(db, "planning-stories", .jsonl)
                let objects = try jsonl.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? JSON) }
                #expect(objects.map { $0["story_id"] as? String } == ["X-1", "X-2", "X-3"])
                #expect(objects[0]["title"] as? String == "Fix, \"quoted\" and\nnew line 🚀")
                #expect(objects[0]["priority"] as? Int == 2)
                #expect(objects[1]["team"] is NSNull)
                #expect(Self.date(objects[2]["cancelled_at"] as? String) == Date(timeIntervalSince1970: 1_791_450_000))
                #expect(jsonManifest.throughPosition == head)
            }
        }
    }

    @Test("an export reads one snapshot: rows projected while it streams are not in it, and the next export has them")
    func oneSnapshot() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.stories(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let before = try await Self.head(db)
                let firstChunk = DispatchSemaphore(value: 0), goOn = DispatchSemaphore(value: 0)
                let running = Task {
                    try await Self.export(db, "planning-stories") { index in
                        guard index == 1 else { return }
                        firstChunk.signal()
                        goOn.wait()
                    }
                }
                await withCheckedContinuation { done in DispatchQueue.global().async { firstChunk.wait(); done.resume() } }
                // While the export is held after its header row: a new story, projected and committed.
                try await h.send("create-story", #"{"storyId": "X-9", "title": "Late", "service": "web", "occurredAt": "2026-10-09T09:00:00Z"}"#)
                try await h.send("start-story", #"{"storyId": "X-1", "service": "web", "occurredAt": "2026-10-09T10:00:00Z"}"#)
                try await h.caughtUp()
                goOn.signal()
                let (csv, manifest) = try await running.value
                let rows = CSVReader.rows(csv).dropFirst()
                #expect(rows.map { $0[0] } == ["X-1", "X-2", "X-3"], "not X-9")
                #expect(rows.first?[8] == nil, "X-1 as it was: not started")
                #expect(manifest.throughPosition == before)

                // The next, incremental export: only the rows changed since, X-1 (started) and X-9.
                let (next, nextManifest) = try await Self.export(db, "planning-stories", .csv, .init(since: manifest.throughPosition))
                #expect(CSVReader.rows(next).dropFirst().map { $0[0] } == ["X-1", "X-9"])
                #expect(nextManifest.afterPosition == before)
                #expect(nextManifest.throughPosition == (try await Self.head(db)))
            }
        }
    }

    @Test("service, team and time filters pick the rows a user expects")
    func filters() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await Self.stories(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                func ids(_ filters: ExportFilters) async throws -> [String?] {
                    CSVReader.rows(try await Self.export(db, "planning-stories", .csv, filters).text).dropFirst().map { $0[0] }
                }
                #expect(try await ids(.init(service: "web")) == ["X-1", "X-3"])
                #expect(try await ids(.init(team: "growth")) == ["X-3"])
                #expect(try await ids(.init(from: Self.date("2026-10-06T00:00:00Z"))) == ["X-2", "X-3"])
                #expect(try await ids(.init(from: Self.date("2026-10-05T09:00:00Z"), to: Self.date("2026-10-07T09:00:00Z"))) == ["X-1", "X-2"],
                        "from inclusive, to exclusive")
                #expect(try await ids(.init(service: "web", team: "nobody")) == [])
            }
        }
    }

    @Test("requests an export cannot honour are refused with stable codes, before anything is read")
    func refusals() async throws {
        try await TestDatabase.with { db in
            func code(_ name: String, _ format: ExportFormat = .csv, _ filters: ExportFilters = .init()) async -> String? {
                do {
                    _ = try await Self.export(db, name, format, filters)
                    return nil
                } catch let error as ExportError {
                    return "\(error.code) \(error.field ?? "-")"
                } catch {
                    return "\(error)"
                }
            }
            #expect(await code("planning-stories") == "read_model_unavailable name", "no worker has built it")
            #expect(await code("planning-story") == "unknown_export name")
            #expect(await code("planning-stories", .cloudevents) == "invalid_parameter format")
            #expect(await code("planning-stories", .csv, .init(types: ["StoryCreated"])) == "unsupported_filter type")
            #expect(await code("monitoring-breaches", .csv, .init(since: 5)) == "unsupported_filter since", "breaches carry no position")
            #expect(await code("events", .csv, .init(bucket: "week")) == "unsupported_filter bucket")
            #expect(await code("dora", .csv, .init(bucket: "year")) == "invalid_parameter bucket")
            #expect(await code("events", .csv, .init(service: "")) == "invalid_parameter service")
            #expect(await code("events", .csv, .init(from: Self.date("2026-10-07T00:00:00Z"), to: Self.date("2026-10-06T00:00:00Z"))) == "invalid_parameter from")
        }
    }

    @Test("the DORA export has the report's figures: each bucket overall, and per service as the report filtered to that service")
    func doraMatchesReport() async throws {
        try await TestDatabase.with { db in
            let h = ProjectionHarness(db)
            try await DORAHistory.send(h)
            try await h.withWorkers { _ in
                try await h.caughtUp()
                let window = ExportFilters(from: Self.date("2026-10-05T00:00:00Z"), to: Self.date("2026-10-19T00:00:00Z"))
                let (jsonl, manifest) = try await Self.export(db, "dora", .jsonl, window)
                let rows = try jsonl.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? JSON) }
                let head = try await Self.head(db)
                #expect(manifest.positions == Dictionary(uniqueKeysWithValues: ReadModels.doraSources.map { ($0, head) }))
                let services = Set(rows.filter { $0["scope"] as? String == "service" }.compactMap { $0["name"] as? String })
                #expect(services == ["alpha", "beta", "gamma"])
                for (scope, name) in [("overall", nil)] + services.sorted().map({ ("service", Optional($0)) }) {
                    let report = try await h.query("dora", "report", ["from": "2026-10-05", "to": "2026-10-19"].merging(name.map { ["service": $0] } ?? [:]) { $1 })
                    let series = try #require(report["series"] as? [JSON])
                    let exported = rows.filter { $0["scope"] as? String == scope && $0["name"] as? String == name }
                    #expect(exported.count == 2, "two ISO weeks")
                    for (row, bucket) in zip(exported, series) {
                        let m = try #require(bucket["metrics"] as? JSON)
                        func figure(_ key: String, _ field: String) -> NSNumber? { (m[key] as? JSON)?[field] as? NSNumber }
                        #expect(Self.date(row["bucket_start"] as? String) == Self.date(bucket["start"] as? String))
                        #expect(row["deployments"] as? NSNumber == figure("deploymentFrequency", "deployments"))
                        #expect(row["lead_time_median_hours"] as? NSNumber == figure("leadTime", "medianHours"))
                        #expect(row["change_failure_rate"] as? NSNumber == figure("changeFailureRate", "rate"))
                        #expect(row["deployment_attempts"] as? NSNumber == figure("changeFailureRate", "attempts"))
                        #expect(row["recovery_median_hours"] as? NSNumber == figure("recoveryTime", "medianHours"))
                        #expect(row["rework_rate"] as? NSNumber == figure("reworkRate", "rate"))
                        #expect(row["tier"] as? String == m["tier"] as? String)
                    }
                }
                // By hand from the fixture (see DORATests): 30 successful production deployments in
                // the two weeks, 5 of 31 failed changes, 5 rework deployments.
                let overall = rows.filter { $0["scope"] as? String == "overall" }
                func total(_ key: String) -> Int { overall.compactMap { ($0[key] as? NSNumber)?.intValue }.reduce(0, +) }
                #expect(total("deployments") == 30)
                #expect(total("failed_changes") == 5)
                #expect(total("deployment_attempts") == 31)
                #expect(total("failed_attempts") == 1)
                #expect(total("rework_deployments") == 5)
                let csv = try await Self.export(db, "dora", .csv, window).text
                #expect(CSVReader.rows(csv).first == DORATable.columns.map { Optional($0) })
                #expect(CSVReader.rows(csv).count == rows.count + 1)
            }
        }
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? plain.date(from: text)
    }
}
