import Foundation
@testable import Lifecycle
import Testing

@Suite struct CommandDecodingTests {
    @Test func everyCommandName() {
        #expect(
            Command.names == [
                "create-story", "prioritize-story", "start-story", "complete-story", "cancel-story",
                "integrate-commit", "start-build", "pass-build", "fail-build",
                "complete-test-run",
                "start-deployment", "succeed-deployment", "fail-deployment", "roll-back-deployment", "publish-release",
                "breach-metric", "recover-metric", "open-incident", "resolve-incident",
                "receive-feedback",
                "propose-improvement", "complete-improvement",
            ])
    }

    /// Every command with a minimal body, the stream it writes and the streams it reads.
    static let streams: [(name: String, json: String, stream: String, related: [String])] = [
        ("create-story", #"{"storyId": "PROJ-12", "title": "t", "service": "web"}"#, "story-PROJ-12", []),
        ("prioritize-story", #"{"storyId": "PROJ-12", "priority": 1, "service": "web"}"#, "story-PROJ-12", []),
        ("start-story", #"{"storyId": "PROJ-12", "service": "web"}"#, "story-PROJ-12", []),
        ("complete-story", #"{"storyId": "PROJ-12", "service": "web"}"#, "story-PROJ-12", []),
        ("cancel-story", #"{"storyId": "PROJ-12", "service": "web"}"#, "story-PROJ-12", []),
        ("integrate-commit", #"{"sha": "9FCEB02", "service": "web"}"#, "commit-9fceb02", []),
        ("start-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "web"}"#, "build-4711", []),
        ("pass-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "web"}"#, "build-4711", []),
        ("fail-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "web"}"#, "build-4711", []),
        (
            "complete-test-run",
            #"""
            {"runId": "run-88", "suite": "unit", "sha": "9fceb02", "passed": 1, "failed": 0, "skipped": 0,
            "service": "web"}
            """#,
            "testrun-run-88", []
        ),
        (
            "start-deployment",
            #"""
            {"deploymentId": "dep-301", "environment": "test", "sha": "9fceb02", "buildId": "4711",
            "service": "web"}
            """#,
            "deployment-dep-301", ["build-4711"]
        ),
        (
            "succeed-deployment",
            #"""
            {"deploymentId": "dep-301", "environment": "test", "sha": "9fceb02", "buildId": "4711",
            "service": "web"}
            """#,
            "deployment-dep-301", ["build-4711"]
        ),
        (
            "fail-deployment",
            #"{"deploymentId": "dep-301", "environment": "test", "sha": "9fceb02", "service": "web"}"#,
            "deployment-dep-301", []
        ),
        ("roll-back-deployment", #"{"deploymentId": "dep-301", "service": "web"}"#, "deployment-dep-301", []),
        ("publish-release", #"{"releaseId": "2024.10", "version": "1", "service": "web"}"#, "release-2024.10", []),
        (
            "breach-metric", #"{"metric": "latency.p99", "value": 1, "threshold": 0, "service": "web"}"#,
            "metric-web:latency.p99", []
        ),
        ("recover-metric", #"{"metric": "latency.p99", "value": 0, "service": "web"}"#, "metric-web:latency.p99", []),
        (
            "open-incident", #"{"incidentId": "INC-9", "title": "t", "severity": 1, "service": "web"}"#,
            "incident-INC-9", []
        ),
        ("resolve-incident", #"{"incidentId": "INC-9", "service": "web"}"#, "incident-INC-9", []),
        (
            "receive-feedback", #"{"feedbackId": "fb-77", "source": "survey", "rating": 5, "service": "web"}"#,
            "feedback-fb-77", []
        ),
        (
            "propose-improvement", #"{"improvementId": "imp-5", "title": "t", "service": "web"}"#, "improvement-imp-5",
            []
        ),
        ("complete-improvement", #"{"improvementId": "imp-5", "service": "web"}"#, "improvement-imp-5", []),
    ]

    @Test func everyCommandIsListedOnceBelow() {
        #expect(Self.streams.map(\.name) == Command.names)
    }

    @Test(arguments: streams) func commandsNameTheirStreams(
        name: String, json: String, stream: String, related: [String]
    ) throws {
        let command = try decode(name, json)
        #expect(command.name == name)
        #expect(command.streamId == stream)
        #expect(command.relatedStreamIds == related)
        #expect(command.service == "web")
        #expect(command.team == nil)
        #expect(command.occurredAt == nil)
    }

    @Test func unknownCommand() {
        #expect(refusal("delete-story", #"{"storyId": "PROJ-12"}"#) == Expected("unknown_command", nil))
        #expect(refusal("Create-Story", "not even json") == Expected("unknown_command", nil))
    }

    @Test(arguments: ["[1, 2]", "not json", "", "null", #""a string""#, "42", #"{"storyId": "PROJ-12""#])
    func bodyThatIsNotAJSONObject(body: String) {
        #expect(refusal("start-story", body) == Expected("invalid_body", nil))
    }

    @Test(arguments: [
        // Missing or null.
        (#"{"service": "web"}"#, Expected("missing_field", "storyId")),
        (#"{"storyId": null, "service": "web"}"#, Expected("missing_field", "storyId")),
        (#"{"storyId": "PROJ-12"}"#, Expected("missing_field", "service")),
        // Wrong type.
        (#"{"storyId": 12, "service": "web"}"#, Expected("invalid_field", "storyId")),
        (#"{"storyId": ["PROJ-12"], "service": "web"}"#, Expected("invalid_field", "storyId")),
        (#"{"storyId": "PROJ-12", "service": {"name": "web"}}"#, Expected("invalid_field", "service")),
        (#"{"storyId": "PROJ-12", "service": "web", "team": false}"#, Expected("invalid_field", "team")),
        (
            #"{"storyId": "PROJ-12", "service": "web", "occurredAt": 1740830400}"#,
            Expected("invalid_field", "occurredAt")
        ),
        // Bad format.
        (#"{"storyId": "PROJ/12", "service": "web"}"#, Expected("invalid_field", "storyId")),
        (#"{"storyId": "", "service": "web"}"#, Expected("invalid_field", "storyId")),
        (#"{"storyId": "-PROJ-12", "service": "web"}"#, Expected("invalid_field", "storyId")),
        (
            #"{"storyId": "\#(String(repeating: "a", count: 129))", "service": "web"}"#,
            Expected("invalid_field", "storyId")
        ),
        (#"{"storyId": "PROJ-12", "service": "Web"}"#, Expected("invalid_field", "service")),
        (#"{"storyId": "PROJ-12", "service": "checkout api"}"#, Expected("invalid_field", "service")),
        (#"{"storyId": "PROJ-12", "service": "-web"}"#, Expected("invalid_field", "service")),
        (
            #"{"storyId": "PROJ-12", "service": "\#(String(repeating: "s", count: 64))"}"#,
            Expected("invalid_field", "service")
        ),
        (#"{"storyId": "PROJ-12", "service": "web", "team": "Team A"}"#, Expected("invalid_field", "team")),
    ])
    func fieldErrorsNameTheField(json: String, expected: Expected) {
        #expect(refusal("start-story", json) == expected)
    }

    @Test(arguments: [
        ("create-story", #"{"storyId": "P-1", "title": "t", "priority": "high", "service": "web"}"#, "priority"),
        ("create-story", #"{"storyId": "P-1", "title": "t", "priority": 2.5, "service": "web"}"#, "priority"),
        ("create-story", #"{"storyId": "P-1", "title": "t", "priority": true, "service": "web"}"#, "priority"),
        ("create-story", #"{"storyId": "P-1", "title": 5, "service": "web"}"#, "title"),
        ("integrate-commit", #"{"sha": "9fceb02", "storyIds": "PROJ-1", "service": "web"}"#, "storyIds"),
        (
            "integrate-commit", #"{"sha": "9fceb02", "storyIds": ["PROJ-1", "PROJ-2", 3], "service": "web"}"#,
            "storyIds[2]"
        ),
        ("integrate-commit", #"{"sha": "9fceb02", "storyIds": [null], "service": "web"}"#, "storyIds[0]"),
        ("integrate-commit", #"{"sha": 9012345, "service": "web"}"#, "sha"),
        ("integrate-commit", #"{"sha": "9fceb0", "service": "web"}"#, "sha"),
        ("integrate-commit", #"{"sha": "not-a-sha", "service": "web"}"#, "sha"),
        ("integrate-commit", #"{"sha": "9fceb02", "branch": "", "service": "web"}"#, "branch"),
        ("breach-metric", #"{"metric": "m", "value": true, "threshold": 0, "service": "web"}"#, "value"),
        ("breach-metric", #"{"metric": "m", "value": [1], "threshold": 0, "service": "web"}"#, "value"),
        (
            "pass-build", #"{"buildId": "1", "sha": "9fceb02", "durationSeconds": "90s", "service": "web"}"#,
            "durationSeconds"
        ),
        ("open-incident", #"{"incidentId": "I", "title": "t", "severity": 1.5, "service": "web"}"#, "severity"),
    ])
    func wrongTypesAndFormats(name: String, json: String, field: String) {
        #expect(refusal(name, json) == Expected("invalid_field", field))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let command = try decode(
            "start-story", #"{"storyId": "PROJ-12", "service": "web", "color": "blue", "nested": {"a": [1, null]}}"#)
        #expect(command == .startStory(StartStory(storyId: "PROJ-12", service: "web")))
    }

    @Test func idsMayUseLettersDigitsDotsColonsUnderscoresAndDashes() throws {
        let longest = String(repeating: "a", count: 128)
        #expect(
            try decode("start-story", #"{"storyId": "\#(longest)", "service": "web"}"#).streamId == "story-\(longest)")
        #expect(
            try decode("start-story", #"{"storyId": "gh:run.42_x-1", "service": "s.v_c-1"}"#)
                == .startStory(StartStory(storyId: "gh:run.42_x-1", service: "s.v_c-1")))
    }

    @Test func shasAreStoredLowercase() throws {
        let full = "9FCEB02D0AE598E95DC970B74767F19372D61AF8"
        #expect(
            try decode("start-build", #"{"buildId": "1", "sha": "\#(full)", "service": "web"}"#)
                == .startBuild(
                    StartBuild(buildId: "1", sha: "9fceb02d0ae598e95dc970b74767f19372d61af8", service: "web")))
    }

    @Test func decodedCommandsCarryEveryField() throws {
        let command = try decode(
            "create-story",
            #"""
            {"storyId": "PROJ-12", "title": "SSO", "priority": 1, "service": "web", "team": "identity",
            "occurredAt": "2025-03-01T11:59:00Z"}
            """#
        )
        #expect(
            command
                == .createStory(
                    CreateStory(
                        storyId: "PROJ-12", title: "SSO", priority: 1, service: "web", team: "identity",
                        occurredAt: earlier)))
    }
}

/// The code and field of a refusal.
struct Expected: Equatable, Sendable, CustomTestStringConvertible {
    var code: String
    var field: String?

    init(_ code: String, _ field: String?) {
        self.code = code
        self.field = field
    }

    var testDescription: String { "\(code) (\(field ?? "no field"))" }
}

/// The code and field `Command.decode` refuses a body with, or nil if it decodes.
func refusal(_ name: String, _ json: String) -> Expected? {
    do {
        _ = try decode(name, json)
        return nil
    } catch {
        return Expected(error.code, error.field)
    }
}

@Suite("JSON parser for command bodies")
struct JSONParserTests {
    @Test("refuses malformed bodies with invalid_body", arguments: [
        "", "{", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1} {}", "[1,]", "{\"a\":\"\\ud800\"}",
        "{\"a\":\"tab\there\"}", "{\"a\":tru}", "{\"a\":1e}", "{\"a\":NaN}", "{\"a\":\"\\x\"}",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func malformed(_ text: String) {
        #expect { try Command.decode(name: "create-story", json: Data(text.utf8)) } throws: {
            ($0 as? DomainError)?.code == "invalid_body"
        }
    }

    @Test("refuses invalid UTF-8 with invalid_body")
    func invalidUTF8() {
        let body = Data(#"{"storyId": ""#.utf8) + Data([0xFF, 0xFE]) + Data(#"", "title": "t", "service": "web"}"#.utf8)
        #expect { try Command.decode(name: "create-story", json: body) } throws: { ($0 as? DomainError)?.code == "invalid_body" }
    }

    @Test("escapes and integral numbers decode as the fields expect")
    func values() throws {
        let command = try Command.decode(
            name: "create-story",
            json: Data(#"{"storyId": "P-1", "title": "caf\u00e9 \ud83d\ude00 \"q\"", "priority": 2.0, "service": "web"}"#.utf8))
        guard case .createStory(let story) = command else {
            Issue.record("expected create-story")
            return
        }
        #expect(story.title == "café 😀 \"q\"")
        #expect(story.priority == 2)
    }
}
