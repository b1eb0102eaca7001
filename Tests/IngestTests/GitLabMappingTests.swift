import Foundation
import JSON
import Lifecycle
import Testing

@testable import Ingest

@Suite("GitLab mapping: hand-written hook payloads → the commands written by hand")
struct GitLabMappingTests {
    static let context = MappingContext(settings: SourceSettings(team: "frontend"))
    /// acme/web, unmapped: the service is the project's name.
    static let service: [String: JSONValue] = ["service": "web", "team": "frontend"]
    static let sha: JSONValue = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"

    func map(_ fixture: String, _ event: String) throws -> MappingOutcome {
        GitLabMapping.map(try Fixture.gitlab(fixture, event: event), Self.context)
    }

    func fields(_ fields: [String: JSONValue]) -> [String: JSONValue] { Self.service.merging(fields) { $1 } }

    @Test("a push to the default branch integrates each commit, story ids from the messages")
    func push() throws {
        #expect(try map("push-main", "Push Hook") == .commands([
            MappedCommand("integrate-commit", fields([
                "sha": "3e5a7c9b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c", "branch": "main", "message": "PROJ-1: login form",
                "author": "Ada Lovelace", "storyIds": ["PROJ-1"], "occurredAt": "2026-10-05T08:00:00+02:00",
            ]), alreadyRecorded: ["commit_already_integrated"]),
            MappedCommand("integrate-commit", fields([
                "sha": "7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d", "branch": "main", "message": "Fix layout\n\nRefs PROJ-2",
                "author": "Ada Lovelace", "storyIds": ["PROJ-2"], "occurredAt": "2026-10-05T08:30:00+02:00",
            ]), alreadyRecorded: ["commit_already_integrated"]),
        ]))
    }

    @Test("a merged MR integrates its merge commit with the story ids of title and source branch")
    func mergeRequest() throws {
        #expect(try map("merge_request-merge", "Merge Request Hook") == .commands([
            MappedCommand("integrate-commit", fields([
                "sha": Self.sha, "branch": "main", "message": "PROJ-2: signup", "author": "lberg", "storyIds": ["PROJ-2"],
                "pullRequest": "!10", "occurredAt": "2026-10-06T08:00:00Z",
            ]), alreadyRecorded: ["commit_already_integrated"]),
        ]))
    }

    @Test("a pipeline is a build: running starts it, success passes it, failed fails it naming the failed jobs")
    func pipelines() throws {
        let build: [String: JSONValue] = ["buildId": "gl:pipeline.2001", "sha": Self.sha]
        #expect(try map("pipeline-running", "Pipeline Hook") == .commands([
            MappedCommand("start-build", fields(build.merging(["occurredAt": "2026-10-06T08:01:00Z"]) { $1 }),
                alreadyRecorded: ["build_already_started", "build_already_finished"]),
        ]))
        let finished = build.merging(["durationSeconds": .number(363), "occurredAt": "2026-10-06T08:07:10Z"]) { $1 }
        #expect(try map("pipeline-success", "Pipeline Hook") == .commands([
            MappedCommand("pass-build", fields(finished), alreadyRecorded: ["build_already_finished"]),
        ]))
        #expect(try map("pipeline-failed", "Pipeline Hook") == .commands([
            MappedCommand("fail-build", fields(finished.merging(["reason": "failed jobs: unit"]) { $1 }), alreadyRecorded: ["build_already_finished"]),
        ]))
    }

    @Test("deployments: running, success and failed by environment, the full sha from commit_url")
    func deployments() throws {
        let deployment: [String: JSONValue] = ["deploymentId": "gl:deployment.301", "environment": "production", "sha": Self.sha]
        let recorded: Set<String> = ["deployment_already_started", "deployment_already_finished"]
        #expect(try map("deployment-running", "Deployment Hook") == .commands([
            MappedCommand("start-deployment", fields(deployment.merging(["occurredAt": "2026-10-06T10:10:00+0200"]) { $1 }), alreadyRecorded: recorded),
        ]))
        #expect(try map("deployment-success", "Deployment Hook") == .commands([
            MappedCommand("succeed-deployment", fields(deployment.merging(["occurredAt": "2026-10-06T10:14:30+0200"]) { $1 }), alreadyRecorded: recorded),
        ]))
        #expect(try map("deployment-failed", "Deployment Hook") == .commands([
            MappedCommand("fail-deployment", fields(deployment.merging([
                "occurredAt": "2026-10-06T10:13:05+0200", "reason": "deployment failed (job 5021)",
            ]) { $1 }), alreadyRecorded: recorded),
        ]))
        #expect(try map("deployment-staging-success", "Deployment Hook") == .commands([
            MappedCommand("succeed-deployment", fields([
                "deploymentId": "gl:deployment.302", "environment": "staging", "sha": Self.sha, "occurredAt": "2026-10-06T10:09:15+0200",
            ]), alreadyRecorded: recorded),
        ]))
    }

    @Test("issues of type Incident are incidents by GitLab's severity; other issues are stories")
    func issues() throws {
        #expect(try map("issue-incident-open", "Issue Hook") == .commands([
            MappedCommand("open-incident", fields([
                "incidentId": "acme:web:12", "title": "Checkout returns 502 for all users", "severity": 1, "occurredAt": "2026-10-09T13:00:00Z",
            ]), alreadyRecorded: ["incident_exists"]),
        ]))
        #expect(try map("issue-incident-close", "Issue Hook") == .commands([
            MappedCommand("resolve-incident", fields(["incidentId": "acme:web:12", "occurredAt": "2026-10-09T14:20:00Z"]),
                alreadyRecorded: ["incident_not_open"]),
        ]))
        #expect(try map("issue-open", "Issue Hook") == .commands([
            MappedCommand("create-story", fields(["storyId": "acme:web:11", "title": "Search is slow", "occurredAt": "2026-10-07T09:00:00Z"]),
                alreadyRecorded: ["story_exists"]),
        ]))
        #expect(try map("issue-close", "Issue Hook") == .commands([
            MappedCommand("complete-story", fields(["storyId": "acme:web:11", "occurredAt": "2026-10-08T15:30:00Z"]),
                alreadyRecorded: ["story_already_completed", "story_cancelled", "story_closed"]),
        ]))
    }

    @Test("a created release is published at its tag and commit")
    func release() throws {
        #expect(try map("release-create", "Release Hook") == .commands([
            MappedCommand("publish-release", fields([
                "releaseId": "gl:release.55", "version": "v1.2.0", "sha": Self.sha, "notes": "Signup form (PROJ-2).",
                "occurredAt": "2026-10-06T09:00:00Z",
            ]), alreadyRecorded: ["release_already_published"]),
        ]))
    }

    @Test("what is not tracked is ignored, each with its reason", arguments: [
        ("push-feature-branch", "Push Hook", "a push to branch feature/PROJ-3-search, not to the default branch main"),
        ("push-tag", "Tag Push Hook", "GitLab event \"Tag Push Hook\" is not one Loopline records"),
        ("merge_request-open", "Merge Request Hook", "merge request open is not recorded; only merges are"),
        ("pipeline-canceled", "Pipeline Hook", "the pipeline was canceled, neither passed nor failed"),
        ("deployment-canceled", "Deployment Hook", "the deployment was canceled, neither succeeded nor failed"),
        ("release-update", "Release Hook", "release update is not recorded; only created releases are"),
        ("note", "Note Hook", "GitLab event \"Note Hook\" is not one Loopline records"),
    ])
    func ignored(_ fixture: String, _ event: String, _ reason: String) throws {
        #expect(try map(fixture, event) == .ignored(reason))
    }

    @Test("an unknown environment, an unmapped project, or no event header is dead-lettered with the reason")
    func deadLetters() throws {
        var body = try Fixture.json("gitlab/deployment-success.json")
        body = body.setting("environment", "qa-7")
        #expect(GitLabMapping.map(DeliveryPayload(event: "Deployment Hook", body: body), Self.context) == .deadLetter(
            "environment \"qa-7\" is neither a production name (production, prod) nor one of the policy's (development, production, staging, test)"))
        let mapOnly = MappingContext(settings: SourceSettings(serviceFrom: .map))
        #expect(GitLabMapping.map(try Fixture.gitlab("push-main", event: "Push Hook"), mapOnly) == .deadLetter(
            "repository acme/web is not mapped to a service; add it with --map acme/web=service"))
        #expect(try map("push-main", "") == .deadLetter("the delivery has no X-Gitlab-Event header"))
    }

    @Test("GitLab's times: `… UTC` and `… +0200` become ISO 8601; anything else passes to be refused by name")
    func times() {
        #expect(GitLabEvent.time("2026-10-06 08:01:00 UTC") == "2026-10-06T08:01:00Z")
        #expect(GitLabEvent.time("2026-10-06 10:14:30 +0200") == "2026-10-06T10:14:30+0200")
        #expect(GitLabEvent.time("2026-10-06T08:00:00Z") == "2026-10-06T08:00:00Z")
        #expect(GitLabEvent.time("yesterday") == "yesterday")
        #expect(GitLabEvent.time(.null) == .null)
    }

    @Test("every command a fixture maps to passes the command handler's field rules")
    func commandsDecode() throws {
        let fixtures = [
            ("push-main", "Push Hook"), ("merge_request-merge", "Merge Request Hook"), ("pipeline-running", "Pipeline Hook"),
            ("pipeline-success", "Pipeline Hook"), ("pipeline-failed", "Pipeline Hook"), ("deployment-running", "Deployment Hook"),
            ("deployment-success", "Deployment Hook"), ("deployment-failed", "Deployment Hook"), ("issue-open", "Issue Hook"),
            ("issue-close", "Issue Hook"), ("issue-incident-open", "Issue Hook"), ("issue-incident-close", "Issue Hook"),
            ("release-create", "Release Hook"),
        ]
        for (fixture, event) in fixtures {
            guard case .commands(let commands) = try map(fixture, event) else {
                Issue.record("\(fixture) mapped to no commands")
                continue
            }
            for command in commands {
                #expect(throws: Never.self, "\(fixture): \(command.name)") { try Command.decode(name: command.name, json: Data(command.body.utf8)) }
            }
        }
    }
}
