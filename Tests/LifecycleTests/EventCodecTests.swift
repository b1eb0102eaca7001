import Foundation
import Lifecycle
import Testing

/// An event and its data exactly as the log stores it (also the examples of docs/events.md).
struct Sample: Sendable, CustomTestStringConvertible {
    var event: DomainEvent
    var json: String

    /// `json` may be wrapped over lines: the line breaks are not part of it.
    init(event: DomainEvent, json: String) {
        self.event = event
        self.json = json.replacingOccurrences(of: "\n", with: "")
    }

    var testDescription: String { event.type }
}

@Suite struct EventCodecTests {
    static let samples: [Sample] = [
        Sample(
            event: .storyCreated(
                StoryCreated(
                    storyId: "PROJ-12", title: "Sign-in with SSO", priority: 2, service: "web", team: "identity",
                    occurredAt: earlier)),
            json:
                #"""
                {"occurredAt":"2025-03-01T11:59:00.000Z","priority":2,"service":"web","storyId":"PROJ-12",
                "team":"identity","title":"Sign-in with SSO"}
                """#
        ),
        Sample(
            event: .storyPrioritized(
                StoryPrioritized(storyId: "PROJ-12", priority: 1, service: "web", occurredAt: earlier)),
            json: #"{"occurredAt":"2025-03-01T11:59:00.000Z","priority":1,"service":"web","storyId":"PROJ-12"}"#
        ),
        Sample(
            event: .storyStarted(StoryStarted(storyId: "PROJ-12", service: "web", occurredAt: earlier)),
            json: #"{"occurredAt":"2025-03-01T11:59:00.000Z","service":"web","storyId":"PROJ-12"}"#
        ),
        Sample(
            event: .storyCompleted(StoryCompleted(storyId: "PROJ-12", service: "web", occurredAt: earlier)),
            json: #"{"occurredAt":"2025-03-01T11:59:00.000Z","service":"web","storyId":"PROJ-12"}"#
        ),
        Sample(
            event: .storyCancelled(
                StoryCancelled(storyId: "PROJ-12", reason: "duplicate of PROJ-9", service: "web", occurredAt: earlier)),
            json:
                #"""
                {"occurredAt":"2025-03-01T11:59:00.000Z","reason":"duplicate of PROJ-9","service":"web",
                "storyId":"PROJ-12"}
                """#
        ),
        Sample(
            event: .commitIntegrated(
                CommitIntegrated(
                    sha: "9fceb02d0ae598e95dc970b74767f19372d61af8", branch: "main",
                    message: "PROJ-123: fix login (also OPS-7)", author: "Ada Lovelace",
                    storyIds: ["OPS-7", "PROJ-123"],
                    pullRequest: "482", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"author":"Ada Lovelace","branch":"main","message":"PROJ-123: fix login (also OPS-7)",
                "occurredAt":"2025-03-01T11:59:00.000Z","pullRequest":"482","service":"checkout-api",
                "sha":"9fceb02d0ae598e95dc970b74767f19372d61af8","storyIds":["OPS-7","PROJ-123"]}
                """#
        ),
        Sample(
            event: .buildStarted(
                BuildStarted(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier)),
            json:
                #"{"buildId":"4711","occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api","sha":"9fceb02"}"#
        ),
        Sample(
            event: .buildPassed(
                BuildPassed(
                    buildId: "4711", sha: "9fceb02", durationSeconds: 92.5, service: "checkout-api", occurredAt: earlier
                )),
            json:
                #"""
                {"buildId":"4711","durationSeconds":92.5,"occurredAt":"2025-03-01T11:59:00.000Z",
                "service":"checkout-api","sha":"9fceb02"}
                """#
        ),
        Sample(
            event: .buildFailed(
                BuildFailed(
                    buildId: "4711", sha: "9fceb02", reason: "unit tests failed", durationSeconds: 30,
                    service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"buildId":"4711","durationSeconds":30,"occurredAt":"2025-03-01T11:59:00.000Z",
                "reason":"unit tests failed","service":"checkout-api","sha":"9fceb02"}
                """#
        ),
        Sample(
            event: .testRunCompleted(
                TestRunCompleted(
                    runId: "run-88", suite: "e2e-checkout", sha: "9fceb02", buildId: "4711", passed: 120, failed: 2,
                    skipped: 3, failingTests: ["pays with card", "applies voucher"], durationSeconds: 301.25,
                    service: "checkout-api", team: "payments", occurredAt: earlier)),
            json:
                #"""
                {"buildId":"4711","durationSeconds":301.25,"failed":2,"failingTests":["pays with card",
                "applies voucher"],"occurredAt":"2025-03-01T11:59:00.000Z","passed":120,"runId":"run-88",
                "service":"checkout-api","sha":"9fceb02","skipped":3,"suite":"e2e-checkout","team":"payments"}
                """#
        ),
        Sample(
            event: .deploymentStarted(
                DeploymentStarted(
                    deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                    version: "2.4.0", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"buildId":"4711","deploymentId":"dep-301","environment":"production",
                "occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api","sha":"9fceb02","version":"2.4.0"}
                """#
        ),
        Sample(
            event: .deploymentSucceeded(
                DeploymentSucceeded(
                    deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                    version: "2.4.0", durationSeconds: 42, service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"buildId":"4711","deploymentId":"dep-301","durationSeconds":42,"environment":"production",
                "occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api","sha":"9fceb02","version":"2.4.0"}
                """#
        ),
        Sample(
            event: .deploymentFailed(
                DeploymentFailed(
                    deploymentId: "dep-301", environment: "production", sha: "9fceb02",
                    reason: "health check timed out", durationSeconds: 600, service: "checkout-api",
                    occurredAt: earlier)),
            json:
                #"""
                {"deploymentId":"dep-301","durationSeconds":600,"environment":"production",
                "occurredAt":"2025-03-01T11:59:00.000Z","reason":"health check timed out","service":"checkout-api",
                "sha":"9fceb02"}
                """#
        ),
        Sample(
            event: .deploymentRolledBack(
                DeploymentRolledBack(
                    deploymentId: "dep-301", environment: "production", sha: "9fceb02", reason: "error rate above 5%",
                    toVersion: "2.3.9", toSha: "ab12cd3", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"deploymentId":"dep-301","environment":"production","occurredAt":"2025-03-01T11:59:00.000Z",
                "reason":"error rate above 5%","service":"checkout-api","sha":"9fceb02","toSha":"ab12cd3",
                "toVersion":"2.3.9"}
                """#
        ),
        Sample(
            event: .releasePublished(
                ReleasePublished(
                    releaseId: "2024.10", version: "2.4.0", sha: "9fceb02", deploymentIds: ["dep-301"],
                    notes: "SSO sign-in", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"deploymentIds":["dep-301"],"notes":"SSO sign-in","occurredAt":"2025-03-01T11:59:00.000Z",
                "releaseId":"2024.10","service":"checkout-api","sha":"9fceb02","version":"2.4.0"}
                """#
        ),
        Sample(
            event: .metricBreached(
                MetricBreached(
                    metric: "http.error_rate", value: 0.07, threshold: 0.05, environment: "production",
                    deploymentId: "dep-301", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"deploymentId":"dep-301","environment":"production","metric":"http.error_rate",
                "occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api","threshold":0.05,"value":0.07}
                """#
        ),
        Sample(
            event: .metricRecovered(
                MetricRecovered(
                    metric: "http.error_rate", value: 0.01, environment: "production", service: "checkout-api",
                    occurredAt: earlier)),
            json:
                #"""
                {"environment":"production","metric":"http.error_rate","occurredAt":"2025-03-01T11:59:00.000Z",
                "service":"checkout-api","value":0.01}
                """#
        ),
        Sample(
            event: .incidentOpened(
                IncidentOpened(
                    incidentId: "INC-9", title: "Checkout errors", severity: 2, deploymentId: "dep-301",
                    rootCauseSha: "9fceb02", service: "checkout-api", team: "payments", occurredAt: earlier)),
            json:
                #"""
                {"deploymentId":"dep-301","incidentId":"INC-9","occurredAt":"2025-03-01T11:59:00.000Z",
                "rootCauseSha":"9fceb02","service":"checkout-api","severity":2,"team":"payments",
                "title":"Checkout errors"}
                """#
        ),
        Sample(
            event: .incidentResolved(
                IncidentResolved(
                    incidentId: "INC-9", resolution: "rolled back dep-301", deploymentId: "dep-301",
                    rootCauseSha: "9fceb02", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"deploymentId":"dep-301","incidentId":"INC-9","occurredAt":"2025-03-01T11:59:00.000Z",
                "resolution":"rolled back dep-301","rootCauseSha":"9fceb02","service":"checkout-api"}
                """#
        ),
        Sample(
            event: .feedbackReceived(
                FeedbackReceived(
                    feedbackId: "fb-77", source: "app-store", rating: 2, text: "SSO loops back to the login page",
                    storyId: "PROJ-12", releaseId: "2024.10", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"feedbackId":"fb-77","occurredAt":"2025-03-01T11:59:00.000Z","rating":2,"releaseId":"2024.10",
                "service":"checkout-api","source":"app-store","storyId":"PROJ-12",
                "text":"SSO loops back to the login page"}
                """#
        ),
        Sample(
            event: .improvementProposed(
                ImprovementProposed(
                    improvementId: "imp-5", title: "Alert on SSO redirect loops", feedbackId: "fb-77",
                    incidentId: "INC-9", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"feedbackId":"fb-77","improvementId":"imp-5","incidentId":"INC-9",
                "occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api",
                "title":"Alert on SSO redirect loops"}
                """#
        ),
        Sample(
            event: .improvementCompleted(
                ImprovementCompleted(
                    improvementId: "imp-5", outcome: "loops page within a minute", feedbackId: "fb-77",
                    incidentId: "INC-9", service: "checkout-api", occurredAt: earlier)),
            json:
                #"""
                {"feedbackId":"fb-77","improvementId":"imp-5","incidentId":"INC-9",
                "occurredAt":"2025-03-01T11:59:00.000Z","outcome":"loops page within a minute",
                "service":"checkout-api"}
                """#
        ),
    ]

    @Test func everyEventTypeAndItsSchemaVersion() {
        #expect(
            DomainEvent.types == [
                "StoryCreated", "StoryPrioritized", "StoryStarted", "StoryCompleted", "StoryCancelled",
                "CommitIntegrated", "BuildStarted", "BuildPassed", "BuildFailed",
                "TestRunCompleted",
                "DeploymentStarted", "DeploymentSucceeded", "DeploymentFailed", "DeploymentRolledBack",
                "ReleasePublished",
                "MetricBreached", "MetricRecovered", "IncidentOpened", "IncidentResolved",
                "FeedbackReceived",
                "ImprovementProposed", "ImprovementCompleted",
            ])
        #expect(Self.samples.map(\.event.type) == DomainEvent.types)
        #expect(
            Self.samples.filter { $0.event.schemaVersion == 2 }.map(\.event.type) == ["BuildPassed", "BuildFailed"])
        #expect(Self.samples.filter { $0.event.schemaVersion != 2 }.allSatisfy { $0.event.schemaVersion == 1 })
    }

    @Test(arguments: samples) func encodesSortedWithMillisecondsAndNoEmptyOptionals(sample: Sample) throws {
        #expect(try sample.event.encodedData() == sample.json)
    }

    @Test(arguments: samples) func decodesWhatItEncodes(sample: Sample) throws {
        let data = Data(try sample.event.encodedData().utf8)
        let decoded = try DomainEvent.decode(
            type: sample.event.type, schemaVersion: sample.event.schemaVersion, data: data)
        #expect(decoded == sample.event)
    }

    @Test func eventsExposeTheirCommonFields() {
        let event = Self.samples[0].event
        #expect(event.type == "StoryCreated")
        #expect(event.schemaVersion == 1)
        #expect(event.occurredAt == earlier)
        #expect(event.service == "web")
        #expect(event.team == "identity")
        #expect(event.streamId == "story-PROJ-12")
        #expect(Self.samples[5].event.streamId == "commit-9fceb02d0ae598e95dc970b74767f19372d61af8")
        #expect(Self.samples[15].event.streamId == "metric-checkout-api:http.error_rate")
    }

    @Test func datesAreWrittenInUTCWithMilliseconds() throws {
        let event = DomainEvent.storyStarted(
            StoryStarted(storyId: "P-1", service: "web", occurredAt: Date(timeIntervalSince1970: 1_740_830_400.123)))
        #expect(
            try event.encodedData() == #"{"occurredAt":"2025-03-01T12:00:00.123Z","service":"web","storyId":"P-1"}"#)
    }

    @Test func storedDatesMayCarryAnOffsetAndDataMayCarryMore() throws {
        let data = #"{"occurredAt":"2025-03-01T13:00:00+01:00","service":"web","storyId":"P-1","source":"jira"}"#
        let event = try DomainEvent.decode(type: "StoryStarted", schemaVersion: 1, data: Data(data.utf8))
        #expect(event == .storyStarted(StoryStarted(storyId: "P-1", service: "web", occurredAt: now)))
    }

    @Test func buildPassedVersion1IsUpcastFromMilliseconds() throws {
        let v1 =
            #"""
            {"buildId":"4711","durationMs":92500,"occurredAt":"2025-03-01T11:59:00.000Z","service":"checkout-api",
            "sha":"9fceb02"}
            """#
        let event = try DomainEvent.decode(type: "BuildPassed", schemaVersion: 1, data: Data(v1.utf8))
        #expect(
            event
                == .buildPassed(
                    BuildPassed(
                        buildId: "4711", sha: "9fceb02", durationSeconds: 92.5, service: "checkout-api",
                        occurredAt: earlier)))
        #expect(event.schemaVersion == 2)
        #expect(
            try event.encodedData()
                == #"{"buildId":"4711","durationSeconds":92.5,"occurredAt":"2025-03-01T11:59:00.000Z","#
                + #""service":"checkout-api","sha":"9fceb02"}"#
        )
    }

    @Test func buildFailedVersion1IsUpcastFromMilliseconds() throws {
        let v1 =
            #"""
            {"buildId":"4711","durationMs":1,"occurredAt":"2025-03-01T11:59:00.000Z","reason":"oom","service":"s",
            "sha":"9fceb02"}
            """#
        let event = try DomainEvent.decode(type: "BuildFailed", schemaVersion: 1, data: Data(v1.utf8))
        #expect(
            event
                == .buildFailed(
                    BuildFailed(
                        buildId: "4711", sha: "9fceb02", reason: "oom", durationSeconds: 0.001, service: "s",
                        occurredAt: earlier)))
    }

    @Test func version1WithoutADurationHasNone() throws {
        let v1 = #"{"buildId":"4711","occurredAt":"2025-03-01T11:59:00.000Z","service":"s","sha":"9fceb02"}"#
        let event = try DomainEvent.decode(type: "BuildPassed", schemaVersion: 1, data: Data(v1.utf8))
        #expect(event == .buildPassed(BuildPassed(buildId: "4711", sha: "9fceb02", service: "s", occurredAt: earlier)))
    }

    @Test(arguments: [
        ("StoryStarted", 1, "not json"),
        ("StoryStarted", 1, "[]"),
        ("StoryStarted", 1, #"{"service":"web","storyId":"P-1"}"#),
        ("StoryStarted", 1, #"{"occurredAt":"yesterday","service":"web","storyId":"P-1"}"#),
        ("StoryStarted", 2, #"{"occurredAt":"2025-03-01T11:59:00.000Z","service":"web","storyId":"P-1"}"#),
        ("StoryStarted", 0, #"{"occurredAt":"2025-03-01T11:59:00.000Z","service":"web","storyId":"P-1"}"#),
        ("BuildPassed", 3, #"{"buildId":"1","occurredAt":"2025-03-01T11:59:00.000Z","service":"s","sha":"9fceb02"}"#),
        (
            "BuildPassed", 1,
            #"""
            {"buildId":"1","durationMs":"long","occurredAt":"2025-03-01T11:59:00.000Z","service":"s",
            "sha":"9fceb02"}
            """#
        ),
        ("BuildPassed", 1, "[1]"),
    ])
    func undecodableEvents(type: String, schemaVersion: Int, data: String) {
        #expect(logRefusal(type, schemaVersion, data) == "undecodable_event")
    }

    @Test("data is read as any JSON writer may write it: escaped keys, duplicates (the last wins), whitespace, unknown members")
    func tolerantOfJSONForms() throws {
        let data = #"""
             { "serv\u0069ce" : "web", "storyId":"P-0", "storyId": "P-1", "extra": {"nested": [1, {"deep": true}]},
               "occurredAt":"2025-03-01T11:59:00.000Z", "ünïcode": "ok" }
            """#
        let event = try DomainEvent.decode(type: "StoryStarted", schemaVersion: 1, data: Data(data.utf8))
        #expect(event == .storyStarted(StoryStarted(storyId: "P-1", service: "web", occurredAt: earlier)))
        #expect(throws: DomainError.self) { try DomainEvent.decode(type: "StoryStarted", schemaVersion: 1, data: Data(#"{"storyId": "P-1"} x"#.utf8)) }
    }

    @Test("a refusal names the field and what was wrong with it")
    func refusalNamesTheField() {
        func message(_ data: String) -> String {
            do {
                _ = try DomainEvent.decode(type: "StoryStarted", schemaVersion: 1, data: Data(data.utf8))
                return "decoded"
            } catch {
                return (error as? DomainError)?.message ?? "\(error)"
            }
        }
        #expect(message(#"{"service":"web","storyId":"P-1"}"#).hasSuffix("occurredAt is missing"))
        #expect(message(#"{"occurredAt":"yesterday","service":"web","storyId":"P-1"}"#).contains("occurredAt: not an ISO 8601 date-time: yesterday"))
        #expect(message(#"{"occurredAt":"2025-03-01T11:59:00.000Z","service":7,"storyId":"P-1"}"#).contains("service: expected a string, found the number 7"))
        #expect(message(#"{"occurredAt":"2025-03-01T11:59:00.000Z","service":"web","storyId":"P-1"}"#) == "decoded")
    }

    @Test func unknownEventType() {
        #expect(logRefusal("StoryDeleted", 1, #"{"storyId":"P-1"}"#) == "unknown_event_type")
    }

    /// The code `DomainEvent.decode` refuses data with, or nil if it decodes.
    func logRefusal(_ type: String, _ schemaVersion: Int, _ data: String) -> String? {
        do {
            _ = try DomainEvent.decode(type: type, schemaVersion: schemaVersion, data: Data(data.utf8))
            return nil
        } catch let error as DomainError {
            return error.code
        } catch {
            return "not a DomainError: \(error)"
        }
    }
}
