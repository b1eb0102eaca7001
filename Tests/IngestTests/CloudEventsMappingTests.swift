import JSON
import Lifecycle
import Testing

@testable import Ingest

@Suite("CloudEvents mapping: CDEvents v0.4 and our own types → commands written by hand")
struct CloudEventsMappingTests {
    static let context = MappingContext(settings: SourceSettings(team: "payments"))

    func map(_ fixture: String, _ context: MappingContext = context) throws -> MappingOutcome {
        CloudEventsMapping.map(try Fixture.cloudEvent(fixture), context)
    }

    func only(_ outcome: MappingOutcome) -> MappedCommand? {
        guard case .commands(let commands) = outcome, commands.count == 1 else {
            Issue.record("expected one command, got \(outcome)")
            return nil
        }
        return commands[0]
    }

    func fields(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        ["service": "checkout-api", "team": "payments"].merging(fields) { $1 }
    }

    @Test("change.merged → integrate-commit, the commit and message from customData")
    func changeMerged() throws {
        let command = try #require(only(try map("change-merged")))
        #expect(command.name == "integrate-commit")
        #expect(command.fields == fields([
            "sha": "5d7f9a1b3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a35", "branch": "main", "message": "PROJ-103: free shipping over 50",
            "storyIds": ["PROJ-103"], "pullRequest": "PROJ-103", "occurredAt": "2026-12-01T09:30:00Z",
        ]))
    }

    @Test("build.finished → pass-build at the purl's commit; without a commit it is dead-lettered saying so")
    func buildFinished() throws {
        let command = try #require(only(try map("build-finished")))
        #expect(command.name == "pass-build")
        #expect(command.fields == fields([
            "buildId": "jenkins:checkout-api.1042", "sha": "5d7f9a1b3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a35", "durationSeconds": .number(184.5),
            "occurredAt": "2026-12-01T09:41:00Z",
        ]))
        #expect(try map("build-finished-no-sha") == .deadLetter(
            "dev.cdevents.build.finished.0.2.0 needs the built commit (customData.sha or a purl artifactId at a SHA), which this event does not carry"))
    }

    @Test("testsuiterun.finished → complete-test-run with the emitter's counts")
    func testSuite() throws {
        #expect(try only(try map("testsuiterun-finished"))?.fields == fields([
            "runId": "run-7781", "suite": "unit", "sha": "5d7f9a1b3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a35", "passed": 410, "failed": 2,
            "skipped": 1, "occurredAt": "2026-12-01T09:30:00Z",
        ]))
    }

    @Test("service.deployed → succeed-deployment: prod is production, the service from the subject")
    func serviceDeployed() throws {
        let command = try #require(only(try map("service-deployed")))
        #expect(command.name == "succeed-deployment")
        #expect(command.fields == fields([
            "deploymentId": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f", "environment": "production",
            "sha": "5d7f9a1b3c5e7a9c1e3b5d7f9a1c3e5b7d9f1a35", "occurredAt": "2026-12-01T10:02:00Z",
        ]))
    }

    @Test("incidents open and resolve; tickets become stories, and a Won't Do close cancels")
    func incidentsAndTickets() throws {
        #expect(try only(try map("incident-detected"))?.fields == fields([
            "incidentId": "incident-2026-12-01-1", "title": "p99 latency above 2 s", "severity": 1, "occurredAt": "2026-12-01T10:20:00Z",
        ]))
        #expect(try only(try map("incident-resolved"))?.name == "resolve-incident")
        #expect(try only(try map("ticket-created"))?.fields == fields([
            "storyId": "PROJ-104", "title": "Show the shipping threshold in the cart", "priority": 2, "occurredAt": "2026-11-30T15:00:00Z",
        ]))
        let closed = try #require(only(try map("ticket-closed")))
        #expect(closed.name == "cancel-story")
        #expect(closed.fields["reason"] == "closed as won't do")
    }

    @Test("types with no mapping are dead-lettered as unknown")
    func unknownTypes() throws {
        #expect(try map("pipelinerun-started") == .deadLetter(
            "unknown type \"dev.cdevents.pipelinerun.started.0.2.0\": no mapping onto the catalogue"))
        #expect(try map("other-type") == .deadLetter(
            "unknown type \"com.example.someevent\": Loopline takes CDEvents (dev.cdevents.*) and its own (dev.loopline.*)"))
    }

    @Test("our own types come back as the command that wrote them; an old schema version is upcast first")
    func ownTypes() throws {
        let v1: JSONValue = [
            "specversion": "1.0", "id": "e1", "source": "/loopline/streams/build-4711", "type": "dev.cdevents.build.finished.0.2.0",
            "lltype": "BuildPassed", "llschemaversion": 1,
            "data": ["customData": [
                "buildId": "4711", "sha": "9fceb02", "durationMs": 92500, "service": "checkout-api", "occurredAt": "2025-03-01T12:00:00.000Z",
            ]],
        ]
        let command = try #require(only(CloudEventsMapping.map(DeliveryPayload(event: "", body: v1), Self.context)))
        #expect(command.name == "pass-build")
        #expect(command.fields["durationSeconds"] == .number(92.5))
        #expect(command.fields["durationMs"] == nil)
        let story: JSONValue = [
            "specversion": "1.0", "id": "e2", "source": "/loopline/streams/story-P-1", "type": "dev.loopline.storycreated.v1",
            "data": ["storyId": "P-1", "title": "t", "priority": 3, "service": "web", "occurredAt": "2025-03-01T12:00:00.000Z"],
        ]
        #expect(try #require(only(CloudEventsMapping.map(DeliveryPayload(event: "", body: story), Self.context))).name == "create-story")
    }

    @Test("every event type of the catalogue has its command")
    func catalogueCovered() {
        #expect(Set(LooplineEvents.commandNames.keys) == Set(DomainEvent.types))
    }

    @Test("purl versions")
    func purls() {
        #expect(Purl.version("pkg:oci/checkout-api@5d7f9a1?arch=amd64") == "5d7f9a1")
        #expect(Purl.version("pkg:npm/%40acme/web@2.4.0") == "2.4.0")
        #expect(Purl.version("checkout-api:2.4") == nil)
    }
}
