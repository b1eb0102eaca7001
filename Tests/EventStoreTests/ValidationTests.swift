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
}
