import Access
import EventStore
import Exports
import Foundation
import LooplineTestSupport
import Seeding
import Server
import Synchronization
import Testing

@testable import Ingest

@Suite("CloudEvents over HTTP: structured, batch and binary mode; our own export round-trips")
struct CloudEventsIngestTests {
    static func source(_ server: TestServer) async throws -> String {
        try await server.server.ingest.sources.create(name: "cd", kind: .cloudevents, settings: SourceSettings(team: "payments")).secret
    }

    static func post(
        _ server: TestServer, _ body: Data, contentType: String, bearer: String, headers: [String: String] = [:]
    ) async throws -> RawHTTPClient.Response {
        try await server.http.request(
            "POST", "/v1/ingest/cloudevents/cd",
            headers: ["Content-Type": contentType, "Authorization": "Bearer \(bearer)"].merging(headers) { $1 }, body: body)
    }

    @Test("each mode ingests; the source's secret or an ingest token authenticates; a missing id is 400")
    func modes() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db) { server in
                let secret = try await Self.source(server)
                let structured = try await Self.post(
                    server, try Fixture.data("cloudevents/change-merged.json"), contentType: "application/cloudevents+json", bearer: secret)
                #expect(structured.status == 202, "\(structured.text)")
                #expect(try structured.json()["disposition"] as? String == "recorded")

                let events = try ["build-finished", "pipelinerun-started", "service-deployed"].map {
                    try JSONSerialization.jsonObject(with: Fixture.data("cloudevents/\($0).json"))
                }
                let batch = try await Self.post(
                    server, try JSONSerialization.data(withJSONObject: events + [["specversion": "1.0", "type": "x"]]),
                    contentType: "application/cloudevents-batch+json", bearer: try await server.token([.ingest]))
                #expect(batch.status == 202, "\(batch.text)")
                let entries = try #require(try batch.json()["deliveries"] as? [[String: Any]])
                #expect(entries.map { ($0["delivery"] as? [String: Any])?["disposition"] as? String } == ["recorded", "dead-lettered", "recorded", nil])
                #expect((entries[3]["error"] as? [String: Any])?["field"] as? String == "id")

                let binary = try await Self.post(
                    server, Data(#"{"storyId": "P-9", "title": "From a binary event", "priority": 2, "service": "web", "occurredAt": "2026-12-01T08:00:00.000Z"}"#.utf8),
                    contentType: "application/json", bearer: secret,
                    headers: ["ce-specversion": "1.0", "ce-id": "b-1", "ce-source": "%2Floopline%2Fstreams%2Fstory-P-9", "ce-type": "dev.loopline.storycreated.v1"])
                #expect(binary.status == 202, "\(binary.text)")
                #expect((try binary.json()["events"] as? [[String: Any]])?.first?["type"] as? String == "StoryCreated")

                let missing = try await Self.post(
                    server, Data(#"{"specversion": "1.0", "source": "/x", "type": "dev.loopline.storycreated.v1"}"#.utf8),
                    contentType: "application/cloudevents+json", bearer: secret)
                #expect(missing.status == 400)
                let wrong = try await Self.post(
                    server, try Fixture.data("cloudevents/change-merged.json"), contentType: "application/cloudevents+json", bearer: "lls_wrong")
                #expect(wrong.status == 401)
                #expect(try await db.eventCount() == 4)
            }
        }
    }

    @Test("a seeded history exported as CloudEvents and ingested into a fresh database gives the same events")
    func roundTrip() async throws {
        try await TestDatabase.with { original in
            let commands = HistoryGenerator(seed: 17, events: 400, end: Date()).commands()
            let summary = await Seeder(store: original.store, logger: TestEnvironment.logger()).run(commands, seed: 17)
            #expect(summary.refused == 0)
            let buffer = Mutex(Data())
            _ = try await Exporter(store: original.store).run(ExportRequest(name: "events", format: .cloudevents)) { bytes in
                buffer.withLock { $0.append(contentsOf: bytes) }
            }
            let lines = buffer.withLock { $0 }.split(separator: UInt8(ascii: "\n"))
            try await TestDatabase.with { fresh in
                try await TestServer.with(fresh) { server in
                    let secret = try await Self.source(server)
                    for start in stride(from: 0, to: lines.count, by: 100) {
                        let batch = Data("[".utf8) + Data(lines[start..<min(start + 100, lines.count)].joined(separator: Data(",".utf8))) + Data("]".utf8)
                        let response = try await Self.post(server, batch, contentType: "application/cloudevents-batch+json", bearer: secret)
                        let entries = try #require(try response.json()["deliveries"] as? [[String: Any]], "\(response.text)")
                        let notRecorded = entries.filter { ($0["delivery"] as? [String: Any])?["disposition"] as? String != "recorded" }
                        #expect(notRecorded.isEmpty, "\(notRecorded.prefix(3))")
                    }
                    // Read while the server runs: it owns the fresh database's client.
                    let before = try await original.store.readAll(after: 0, limit: 10_000)
                    let after = try await fresh.store.readAll(after: 0, limit: 10_000)
                    #expect(before.count == summary.events)
                    #expect(after.count == before.count)
                    for (old, new) in zip(before, after) {
                        #expect(new.type == old.type && new.schemaVersion == old.schemaVersion && new.stream == old.stream, "\(old.position)")
                        #expect(new.data == old.data, "event \(old.position) \(old.type)")
                    }
                }
            }
        }
    }
}
