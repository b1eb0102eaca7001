import Access
import EventStore
import Foundation
import LooplineTestSupport
import Postgres
import Testing

@Suite("Exports over HTTP")
struct ExportAPITests {
    @Test("GET /v1/exports/events.csv streams the log with its positions in headers; the next request continues from them")
    func csvOverHTTP() async throws {
        try await TestDatabase.with { db in
            for batch in 0..<20 {
                let events = (0..<250).map { index in
                    NewEvent(type: "Note", data: #"{"text": "row \#(batch * 250 + index), with \"quotes\"\nand a line", "emoji": "🚀"}"#)
                }
                _ = try await db.store.append(events, to: try StreamName("note-\(batch)"))
            }
            try await TestServer.with(db) { server in
                let auth = ["Authorization": "Bearer \(try await server.token([.read]))"]
                let first = try await server.http.request("GET", "/v1/exports/events.csv", headers: auth)
                #expect(first.status == 200)
                #expect(first.headers["content-type"] == "text/csv; charset=utf-8")
                #expect(first.headers["loopline-after-position"] == "0")
                #expect(first.headers["loopline-through-position"] == "5000")
                let rows = CSVReader.rows(first.text)
                #expect(rows.count == 5_001, "a header and 5,000 events (\(first.body.count) bytes, in chunks)")
                #expect(rows.dropFirst().map { $0[0] } == (1...5000).map { Optional(String($0)) })
                #expect(rows[1][6]?.contains("with \\\"quotes\\\"\\nand a line") == true, "data as JSON text: \(rows[1][6] ?? "")")

                _ = try await db.store.append([NewEvent(type: "Late", data: "{}")], to: try StreamName("late-1"))
                let next = try await server.http.request("GET", "/v1/exports/events.jsonl?after=5000", headers: auth)
                #expect(next.status == 200)
                #expect(next.headers["content-type"] == "application/x-ndjson; charset=utf-8")
                let lines = next.text.split(separator: "\n")
                #expect(lines.count == 1)
                #expect(lines.first?.contains(#""type" : "Late""#) == true)

                let cloudEvents = try await server.http.request("GET", "/v1/exports/events.cloudevents.jsonl?after=5000", headers: auth)
                #expect(cloudEvents.status == 200)
                let event = try JSONSerialization.jsonObject(with: Data(cloudEvents.text.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any]
                #expect(event?["specversion"] as? String == "1.0")
                #expect(event?["type"] as? String == "dev.loopline.late.v1")
                #expect(event?["source"] as? String == "/loopline/streams/late-1")

                let ingest = ["Authorization": "Bearer \(try await server.token([.ingest]))"]
                for (path, headers, status, code) in [
                    ("/v1/exports/events.xml", auth, 404, "unknown_export"), ("/v1/exports/events.csv?after=-1", auth, 400, "invalid_parameter"),
                    ("/v1/exports/events.csv", ingest, 403, "forbidden"), ("/v1/exports/events.csv?type=no%20such", auth, 400, "invalid_event_type"),
                ] {
                    let response = try await server.http.request("GET", path, headers: headers)
                    #expect(response.status == status, "\(path): \(response.text)")
                    #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == code, "\(path): \(response.text)")
                }
            }
        }
    }

    @Test("GET /v1/exports/{dataset}.csv and dora.jsonl: read models with their positions in headers, filters, and clear refusals")
    func readModelsOverHTTP() async throws {
        try await TestDatabase.with { db in
            try await TestServer.with(db, workers: true) { server in
                let auth = ["Authorization": "Bearer \(try await server.token([.read]))"]
                let unbuilt = try await server.http.request("GET", "/v1/exports/planning-stories.csv", headers: auth)
                if unbuilt.status != 200 {
                    #expect(unbuilt.status == 503, "only before a worker has built it: \(unbuilt.text)")
                }
                let ingest = ["Authorization": "Bearer \(try await server.token([.ingest]))", "Content-Type": "application/json"]
                for (id, service) in [("H-1", "web"), ("H-2", "api"), ("H-3", "web")] {
                    let created = try await server.http.request(
                        "POST", "/v1/commands/create-story", headers: ingest,
                        body: Data(#"{"storyId": "\#(id)", "title": "t, \"q\"", "service": "\#(service)"}"#.utf8))
                    #expect(created.status == 201)
                }
                try await ReadModelAPITests().caughtUp(server, token: try await server.token([.read]))

                let web = try await server.http.request("GET", "/v1/exports/planning-stories.csv?service=web", headers: auth)
                #expect(web.status == 200, "\(web.text)")
                #expect(web.headers["loopline-through-position"] == "3")
                #expect(web.headers["loopline-read-model-positions"] == "planning=3")
                let rows = CSVReader.rows(web.text)
                #expect(rows.dropFirst().map { $0[0] } == ["H-1", "H-3"])
                #expect(rows.dropFirst().allSatisfy { $0[1] == "t, \"q\"" })

                let dora = try await server.http.request("GET", "/v1/exports/dora.jsonl?bucket=day&from=2026-01-01&to=2026-01-03", headers: auth)
                #expect(dora.status == 200, "\(dora.text)")
                #expect(dora.text.split(separator: "\n").count == 2, "two days, overall only: no deployments yet")
                #expect(dora.headers["loopline-read-model-positions"] == "delivery=3,integration=3,monitoring=3", "the models DORA reads")

                for (path, status, code) in [
                    ("/v1/exports/planning-story.csv", 404, "unknown_export"), ("/v1/exports/.csv", 404, "unknown_export"),
                    ("/v1/exports/planning-stories.csv?type=StoryCreated", 400, "unsupported_filter"),
                    ("/v1/exports/planning-stories.cloudevents.jsonl", 400, "invalid_parameter"),
                    ("/v1/exports/planning-stories.csv?since=1", 400, "invalid_parameter"),
                    ("/v1/exports/planning-stories.csv?service=a&service=b", 400, "invalid_parameter"),
                    ("/v1/exports/planning-stories.csv?from=yesterday", 400, "invalid_parameter"),
                    ("/v1/exports/monitoring-breaches.csv?after=1", 400, "unsupported_filter"),
                ] {
                    let response = try await server.http.request("GET", path, headers: auth)
                    #expect(response.status == status, "\(path): \(response.text)")
                    #expect((try response.json()["error"] as? [String: Any])?["code"] as? String == code, "\(path): \(response.text)")
                }
            }
        }
    }
}
