import Foundation
import JSON
import Testing

@testable import Ingest

@Suite("Feedback: JSON and form answers, CSV exports keyed by row")
struct FeedbackMappingTests {
    static let context = MappingContext(settings: SourceSettings(team: "frontend", service: "web"), sourceName: "nps")

    func payload(_ body: String, form: Bool = false, key: String = "k1") throws -> DeliveryPayload {
        var payload = try FeedbackMapping.payload(
            headers: ["content-type": form ? "application/x-www-form-urlencoded; charset=utf-8" : "application/json"], body: Data(body.utf8))
        payload.key = key
        return payload
    }

    @Test("a form post and the same answer as JSON map alike; the id comes from source and key")
    func formAndJSON() throws {
        let expected = MappingOutcome.commands([MappedCommand("receive-feedback", [
            "feedbackId": .string(FeedbackMapping.feedbackId("k1", "nps")), "source": "nps", "rating": 4,
            "text": "Checkout is fast & easy", "storyId": "PROJ-1", "service": "web", "team": "frontend",
        ], alreadyRecorded: ["feedback_already_received"])])
        let form = try payload("rating=4&text=Checkout+is+fast+%26+easy&storyId=PROJ-1&submit=Send", form: true)
        #expect(FeedbackMapping.map(form, Self.context) == expected)
        #expect(FeedbackMapping.map(try payload(#"{"rating": 4, "text": "Checkout is fast & easy", "storyId": "PROJ-1"}"#), Self.context) == expected)
        #expect(FeedbackMapping.feedbackId("k1", "nps") != FeedbackMapping.feedbackId("k1", "app-store"), "two sources' keys never share an id")
        #expect(FeedbackMapping.feedbackId("k1", "nps").hasPrefix("fb:"))
    }

    @Test("no rating, a rating out of 1–5, or no service is dead-lettered; a bad form is refused")
    func refusals() throws {
        #expect(FeedbackMapping.map(try payload(#"{"text": "meh"}"#), Self.context) == .deadLetter("the answer has no rating from 1 to 5 (rating: absent)"))
        #expect(FeedbackMapping.map(try payload("rating=9", form: true), Self.context) == .deadLetter("the answer has no rating from 1 to 5 (rating: \"9\")"))
        #expect(FeedbackMapping.map(try payload(#"{"rating": 4.5}"#), Self.context) == .deadLetter("the answer has no rating from 1 to 5 (rating: 4.5)"))
        #expect(FeedbackMapping.map(try payload(#"{"rating": 5}"#), MappingContext(settings: SourceSettings())) == .deadLetter(
            "the answer names no service; send a service field or set the source's --service"))
        #expect(throws: IngestError(.invalidBody, "the form holds a % that is not followed by two hexadecimal digits")) {
            try payload("rating=4&text=100%", form: true)
        }
        #expect(throws: IngestError(.invalidBody, "feedback is a JSON object or a form of fields")) { try payload("[1]") }
    }

    @Test("an answer's own id keys its delivery; one without gets a fresh key each time")
    func keys() throws {
        let withId = try payload(#"{"rating": 5, "id": 991}"#)
        #expect(FeedbackMapping.deliveryId([:], withId) == "id:991")
        let anonymous = try payload(#"{"rating": 5}"#)
        #expect(FeedbackMapping.deliveryId([:], anonymous) != FeedbackMapping.deliveryId([:], anonymous))
    }

    @Test("CSV: quotes, commas, line breaks and a BOM; --map renames columns; identical rows stay two; ids key rows")
    func csv() throws {
        let file = "\u{FEFF}Score,Comment,When,Story\r\n5,\"Fast, \"\"really\"\" fast\",2026-10-10T10:00:00Z,PROJ-1\r\n"
            + "2,\"Broke on\nSafari\",2026-10-10T11:00:00Z,\r\n\r\n2,\"Broke on\nSafari\",2026-10-10T11:00:00Z,\r\n"
        let rows = try FeedbackCSV(map: ["rating=Score,text=Comment", "occurredAt=When", "storyId=Story"]).rows(Data(file.utf8))
        #expect(rows.map(\.line) == [2, 3, 6])
        #expect(try JSONScanner.value(of: Array(rows[0].body)) == [
            "rating": "5", "text": "Fast, \"really\" fast", "occurredAt": "2026-10-10T10:00:00Z", "storyId": "PROJ-1",
        ])
        #expect(try JSONScanner.value(of: Array(rows[1].body)) == ["rating": "2", "text": "Broke on\nSafari", "occurredAt": "2026-10-10T11:00:00Z"])
        #expect(rows[1].key != rows[2].key && rows[1].key.dropLast() == rows[2].key.dropLast(), "the same content, counted")
        let again = try FeedbackCSV(map: ["rating=Score,text=Comment", "occurredAt=When", "storyId=Story"]).rows(Data(file.utf8))
        #expect(again.map(\.key) == rows.map(\.key), "a re-import has the same keys")
        let keyed = try FeedbackCSV(map: []).rows(Data("id,rating\nr-1,4\n".utf8))
        #expect(keyed.map(\.key) == ["id:r-1"])
    }

    @Test("CSV refusals name the problem")
    func csvRefusals() throws {
        #expect(throws: IngestError(.invalidSource, "score is not a feedback field; map one of rating, text, storyId, releaseId, service, team, source, occurredAt, id", field: "map")) {
            try FeedbackCSV(map: ["score=Score"])
        }
        #expect(throws: IngestError(.invalidBody, "no column holds the rating; name it with --map rating=Column")) {
            try FeedbackCSV(map: []).rows(Data("Score,Comment\n5,ok\n".utf8))
        }
        #expect(throws: IngestError(.invalidBody, "the CSV header has no column \"Stars\" for rating; it has Score, Comment")) {
            try FeedbackCSV(map: ["rating=Stars"]).rows(Data("Score,Comment\n5,ok\n".utf8))
        }
        #expect(throws: IngestError(.invalidBody, "the CSV record starting on line 2 has a quote that is never closed")) {
            try FeedbackCSV(map: []).rows(Data("rating,text\n5,\"open\n".utf8))
        }
    }
}
