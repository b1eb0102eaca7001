import EventStore
import Testing

@Suite("Input validation without a database")
struct ValidationTests {
    @Test("stream ids are category-id", arguments: ["story-PROJ-12", "build-4711", "deployment-a1b2", "x-y"])
    func validStreams(_ raw: String) throws {
        let stream = try StreamName(raw)
        #expect(stream.category == String(raw.prefix(while: { $0 != "-" })))
    }

    @Test("malformed stream ids are refused with invalid_stream", arguments: [
        "", "story", "-12", "story-", "9lives-1", "sto ry-1", "story-has space", "story-tab\there", "ünïcode-1",
        "story-" + String(repeating: "x", count: 300),
    ])
    func invalidStreams(_ raw: String) {
        #expect { try StreamName(raw) } throws: { ($0 as? EventStoreError)?.code == .invalidStream }
    }

    @Test("expected versions parse", arguments: [
        ("any", ExpectedVersion.any), ("no-stream", .noStream), ("0", .noStream), ("exists", .streamExists), ("7", .exact(7)),
    ])
    func expectedVersions(text: String, expected: ExpectedVersion) throws {
        #expect(try ExpectedVersion(parsing: text) == expected)
    }

    @Test("nonsense expected versions are refused", arguments: ["-1", "some", "1.5", ""])
    func badExpectedVersions(_ text: String) {
        #expect(throws: EventStoreError.self) { try ExpectedVersion(parsing: text) }
    }

    @Test("valid JSON objects pass", arguments: [
        "{}", #"{"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {"c": {}}}"#, " {\"k\":0} ",
    ])
    func validJSON(_ text: String) throws {
        try JSONValidator.validateObject(text, field: "data")
    }

    @Test("invalid JSON and non-objects are refused", arguments: [
        "", "[]", "1", "\"x\"", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1} {}",
        "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"tab\there\"}", "{\"a\":tru}", "{\"a\":1}, \"type\": \"Evil\"",
        String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100),
    ])
    func invalidJSON(_ text: String) {
        #expect { try JSONValidator.validateObject(text, field: "data") } throws: {
            ($0 as? EventStoreError)?.code == .invalidJSON && ($0 as? EventStoreError)?.field == "data"
        }
    }
}
