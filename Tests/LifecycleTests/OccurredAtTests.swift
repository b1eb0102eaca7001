import Foundation
@testable import Lifecycle
import Testing

@Suite struct OccurredAtTests {
    @Test(arguments: [
        ("2025-03-01T12:00:00Z", 1_740_830_400_000),
        ("2025-03-01T12:00:00z", 1_740_830_400_000),
        ("2025-03-01T12:00:00.5Z", 1_740_830_400_500),
        ("2025-03-01T12:00:00.123Z", 1_740_830_400_123),
        ("2025-03-01T12:00:00.1234Z", 1_740_830_400_123),
        ("2025-03-01T12:00:00.1235Z", 1_740_830_400_124),
        ("2025-03-01T12:00:00.999999999Z", 1_740_830_401_000),
        ("2025-03-01T13:30:00+01:30", 1_740_830_400_000),
        ("2025-03-01T14:00:00+0200", 1_740_830_400_000),
        ("2025-03-01T07:00:00.250-05:00", 1_740_830_400_250),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2000-01-01T00:00:00Z", 946_684_800_000),
        ("1999-12-31T23:59:59.999Z", 946_684_799_999),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func acceptedDates(text: String, milliseconds: Int64) throws {
        let command = try decode("start-story", #"{"storyId": "P-1", "service": "web", "occurredAt": "\#(text)"}"#)
        #expect(command.occurredAt == Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    @Test(arguments: [
        "yesterday", "2025-03-01", "2025-03-01T12:00:00", "2025-03-01 12:00:00Z", "2025-02-30T00:00:00Z",
        "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-03-01T24:00:00Z", "2025-03-01T12:60:00Z",
        "2025-03-01T12:00:60Z", "2025-03-01T12:00:00.Z", "2025-03-01T12:00:00.1234567890Z", "2025-03-01T12:00:00+2",
        "2025-03-01T12:00:00+25:00", "2025-03-01T12:00:00Z ", "25-03-01T12:00:00Z", "2025-3-1T12:00:00Z",
    ])
    func rejectedDates(text: String) {
        #expect(
            refusal("start-story", #"{"storyId": "P-1", "service": "web", "occurredAt": "\#(text)"}"#)
                == Expected("invalid_field", "occurredAt"))
    }

    static let story = DomainEvent.storyCreated(
        StoryCreated(storyId: "P-1", title: "t", priority: 3, service: "web", occurredAt: earlier))

    @Test func withoutOccurredAtTheEventHappenedNow() throws {
        let events = try decide("start-story", #"{"storyId": "P-1", "service": "web"}"#, given: [Self.story])
        #expect(events == [.storyStarted(StoryStarted(storyId: "P-1", service: "web", occurredAt: now))])
    }

    @Test func nowIsKeptToTheMillisecondAsTheLogStoresIt() throws {
        let command = try decode("start-story", #"{"storyId": "P-1", "service": "web"}"#)
        let events = try Decider.decide(
            command, state: fold([Self.story]), related: [:], now: Date(timeIntervalSince1970: 1_740_830_400.0004),
            policy: Policy())
        #expect(
            events == [
                .storyStarted(
                    StoryStarted(storyId: "P-1", service: "web", occurredAt: Date(timeIntervalSince1970: 1_740_830_400))
                )
            ])
    }

    @Test func upToTheClockSkewInTheFutureIsAccepted() throws {
        // now + 300 s = 12:05:00Z.
        let events = try decide(
            "start-story", #"{"storyId": "P-1", "service": "web", "occurredAt": "2025-03-01T12:05:00Z"}"#,
            given: [Self.story])
        #expect(
            events == [
                .storyStarted(
                    StoryStarted(storyId: "P-1", service: "web", occurredAt: Date(timeIntervalSince1970: 1_740_830_700))
                )
            ])
    }

    static let refusals: [Refusal] = [
        Refusal(
            "occurred_in_future", field: "occurredAt", "start-story",
            #"{"storyId": "P-1", "service": "web", "occurredAt": "2025-03-01T12:05:00.001Z"}"#, given: [story]),
        Refusal(
            "occurred_in_future", field: "occurredAt", "start-story",
            #"{"storyId": "P-1", "service": "web", "occurredAt": "2025-03-01T13:00:00+00:30"}"#, given: [story]),
        Refusal(
            "occurred_in_future", field: "occurredAt", "start-story",
            #"{"storyId": "P-1", "service": "web", "occurredAt": "2025-03-01T12:00:01Z"}"#, given: [story],
            policy: Policy(maximumClockSkew: 0)),
        // The clock rule comes before the state rules: the story does not exist either.
        Refusal(
            "occurred_in_future", field: "occurredAt", "start-story",
            #"{"storyId": "P-1", "service": "web", "occurredAt": "2030-01-01T00:00:00Z"}"#),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func commandsBuiltInSwiftAreValidatedToo() {
        let command = Command.createStory(CreateStory(storyId: "PROJ 12", title: "t", service: "web"))
        do {
            let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
            Issue.record("expected invalid_field, got \(events)")
        } catch {
            #expect(error.code == "invalid_field")
            #expect(error.field == "storyId")
        }
    }

    @Test func commandsBuiltInSwiftGetLowercaseShas() throws {
        let command = Command.startBuild(StartBuild(buildId: "1", sha: "ABCDEF0", service: "web", occurredAt: earlier))
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [.buildStarted(BuildStarted(buildId: "1", sha: "abcdef0", service: "web", occurredAt: earlier))])
    }
}
