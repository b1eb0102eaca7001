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
}
