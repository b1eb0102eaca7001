import Foundation
import JSON
import Lifecycle
import Testing

@testable import Ingest

@Suite("Jira mapping: issue events → stories and improvements, by status category and resolution")
struct JiraMappingTests {
    /// Project PROJ mapped to the web service of team frontend.
    static let context = MappingContext(settings: SourceSettings(repositories: ["proj": .init(service: "web", team: "frontend")]))
    static let service: [String: JSONValue] = ["service": "web", "team": "frontend"]

    func map(_ fixture: String, _ context: MappingContext = context) throws -> MappingOutcome {
        JiraMapping.map(try Fixture.jira(fixture), context)
    }

    func fields(_ fields: [String: JSONValue]) -> [String: JSONValue] { Self.service.merging(fields) { $1 } }

    /// What every update of PROJ-1 records first: its creation, a no-op once recorded.
    var creation: MappedCommand {
        MappedCommand("create-story", fields([
            "storyId": "PROJ-1", "title": "Login form", "priority": 2, "occurredAt": "2026-10-01T11:00:00.112+0200",
        ]), alreadyRecorded: ["story_exists"])
    }

    @Test("issue_created: the key is the story id, with summary and priority, at the webhook's timestamp")
    func created() throws {
        #expect(try map("issue_created") == .commands([
            MappedCommand("create-story", fields([
                "storyId": "PROJ-1", "title": "Login form", "priority": 2, "occurredAt": "2026-10-01T09:00:00.000Z",
            ]), alreadyRecorded: ["story_exists"]),
        ]))
    }

    @Test("To Do → In Progress starts the story, after its creation")
    func started() throws {
        #expect(try map("issue_updated-started") == .commands([
            creation,
            MappedCommand("start-story", fields(["storyId": "PROJ-1", "occurredAt": "2026-10-02T08:30:00.000Z"]),
                alreadyRecorded: ["story_already_started", "story_closed"]),
        ]))
    }

    @Test("a priority change reprioritizes: High → Highest is 1")
    func prioritized() throws {
        #expect(try map("issue_updated-priority") == .commands([
            MappedCommand("create-story", fields([
                "storyId": "PROJ-1", "title": "Login form", "priority": 1, "occurredAt": "2026-10-01T11:00:00.112+0200",
            ]), alreadyRecorded: ["story_exists"]),
            MappedCommand("prioritize-story", fields(["storyId": "PROJ-1", "priority": 1, "occurredAt": "2026-10-03T10:00:00.000Z"]),
                alreadyRecorded: ["story_closed"]),
        ]))
    }

    @Test("→ Done completes; Done with a cancel resolution (Won't Do) cancels, saying so")
    func done() throws {
        guard case .commands(let completed) = try map("issue_updated-done") else {
            Issue.record("expected commands")
            return
        }
        #expect(completed.map(\.name) == ["create-story", "complete-story"])
        #expect(completed[1] == MappedCommand(
            "complete-story", fields(["storyId": "PROJ-1", "occurredAt": "2026-10-04T15:15:00.000Z"]),
            alreadyRecorded: ["story_already_completed", "story_cancelled", "story_closed"]))
        guard case .commands(let cancelled) = try map("issue_updated-wont-do") else {
            Issue.record("expected commands")
            return
        }
        #expect(cancelled[1] == MappedCommand(
            "cancel-story", fields(["storyId": "PROJ-4", "reason": "resolved as Won't Do", "occurredAt": "2026-10-05T07:20:00.000Z"]),
            alreadyRecorded: ["story_already_completed", "story_cancelled", "story_closed"]))
        let strict = MappingContext(settings: SourceSettings(repositories: ["proj": .init(service: "web", team: "frontend")]).withCancelResolutions(["Obsolete"]))
        guard case .commands(let notCancelled) = try map("issue_updated-wont-do", strict) else {
            Issue.record("expected commands")
            return
        }
        #expect(notCancelled[1].name == "complete-story")
    }

    @Test("an issue of an improvement type is an improvement")
    func improvement() throws {
        #expect(try map("issue_created-improvement") == .commands([
            MappedCommand("propose-improvement", fields([
                "improvementId": "PROJ-9", "title": "Add alert on checkout latency", "occurredAt": "2026-10-08T09:40:00.000Z",
            ]), alreadyRecorded: ["improvement_exists"]),
        ]))
    }

    @Test("what records nothing is ignored with the reason", arguments: [
        ("issue_updated-summary", "the update changed summary; Loopline records status and priority changes"),
        ("issue_updated-no-changelog", "an update without a changelog (a comment, a link) changes nothing Loopline records"),
        ("issue_deleted", "a deleted issue is not recorded: the log keeps what happened to it, and its story stays as it was"),
        ("comment_created", "Jira event \"comment_created\" is not one Loopline records"),
    ])
    func ignored(_ fixture: String, _ reason: String) throws {
        #expect(try map(fixture) == .ignored(reason))
    }

    @Test("an unmapped project under --service-from map is dead-lettered; priorities map by name, then id")
    func unmappedAndPriorities() throws {
        #expect(try map("issue_created", MappingContext(settings: SourceSettings(serviceFrom: .map))) == .deadLetter(
            "Jira project PROJ is not mapped to a service; add it with --map PROJ=service or set --service"))
        #expect(try map("issue_created", MappingContext(settings: SourceSettings())).commandFields?["service"] == "proj")
        #expect(JiraIssue.priority(["name": "Lowest", "id": "5"]) == 5)
        #expect(JiraIssue.priority(["name": "P0", "id": "1"]) == 1)
        #expect(JiraIssue.priority(["name": "Urgent", "id": "10200"]) == nil)
    }

    @Test("every command a fixture maps to passes the command handler's field rules")
    func commandsDecode() throws {
        for fixture in ["issue_created", "issue_updated-started", "issue_updated-priority", "issue_updated-done", "issue_updated-wont-do", "issue_created-improvement"] {
            guard case .commands(let commands) = try map(fixture) else {
                Issue.record("\(fixture) mapped to no commands")
                continue
            }
            for command in commands {
                #expect(throws: Never.self, "\(fixture): \(command.name)") { try Command.decode(name: command.name, json: Data(command.body.utf8)) }
            }
        }
    }
}

extension MappingOutcome {
    /// The first command's fields, for a check of one field.
    var commandFields: [String: JSONValue]? {
        guard case .commands(let commands) = self else { return nil }
        return commands.first?.fields
    }
}

extension SourceSettings {
    func withCancelResolutions(_ names: [String]) -> SourceSettings {
        var settings = self
        settings.cancelResolutionList = names
        return settings
    }
}
