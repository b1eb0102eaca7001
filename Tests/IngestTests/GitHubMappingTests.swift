import JSON
import Lifecycle
import Testing

@testable import Ingest

@Suite("GitHub mapping: hand-written payloads → the commands written by hand")
struct GitHubMappingTests {
    static let context = MappingContext(settings: SourceSettings(team: "payments"))
    static let service: [String: JSONValue] = ["service": "checkout-api", "team": "payments"]

    func map(_ fixture: String, _ event: String, _ context: MappingContext = context) throws -> MappingOutcome {
        GitHubMapping.map(try Fixture.github(fixture, event: event), context)
    }

    func commands(_ outcome: MappingOutcome) throws -> [MappedCommand] {
        guard case .commands(let commands) = outcome else {
            Issue.record("expected commands, got \(outcome)")
            return []
        }
        return commands
    }

    func fields(_ fields: [String: JSONValue]) -> [String: JSONValue] { Self.service.merging(fields) { $1 } }

    @Test("a push to the default branch integrates each commit, with story ids from message and branch")
    func pushToMain() throws {
        let commands = try commands(map("push-main", "push"))
        #expect(commands.map(\.name) == ["integrate-commit", "integrate-commit"])
        #expect(commands[0].fields == fields([
            "sha": "1f3c0a9e2b4d6f8a0c2e4b6d8f0a1c3e5b7d9f10", "branch": "main",
            "message": "PROJ-101: validate coupon codes\n\nAlso fixes #42.", "author": "Ada Lovelace",
            "storyIds": ["PROJ-101", "acme:checkout-api:42"], "occurredAt": "2026-12-01T10:12:30+01:00",
        ]))
        #expect(commands[1].fields == fields([
            "sha": "2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92", "branch": "main", "message": "Tidy the cart tests",
            "author": "Grace Hopper", "storyIds": [], "occurredAt": "2026-12-01T10:14:05+01:00",
        ]))
        #expect(commands[0].alreadyRecorded == ["commit_already_integrated"])
    }

    @Test("pushes elsewhere and pings are ignored, each with its reason", arguments: [
        ("push-feature-branch", "push", "a push to branch feature/PROJ-102-coupon-ui, not to the default branch main"),
        ("push-tag", "push", "a push to refs/tags/v2.4.0, not to a branch"),
        ("ping", "ping", "ping: GitHub is checking the webhook; there is nothing to record"),
        ("pull_request-closed-unmerged", "pull_request", "the pull request was closed without merging"),
        ("pull_request-opened", "pull_request", "pull_request opened is not recorded; only merges are"),
        ("workflow_run-completed-cancelled", "workflow_run", "the workflow run ended cancelled, neither passed nor failed"),
        ("check_run-completed-no-counts", "check_run", "the check run's output holds no test counts (\"N passed, N failed, N skipped\")"),
        ("check_suite-completed", "check_suite", "check_suite carries no test counts; its check runs are recorded one by one"),
        ("release-created", "release", "release created is not recorded; only published releases are"),
        ("issues-assigned", "issues", "issues assigned is not recorded"),
        ("ping", "star", "GitHub event \"star\" is not one Loopline records"),
    ])
    func ignored(_ fixture: String, _ event: String, _ reason: String) throws {
        #expect(try map(fixture, event) == .ignored(reason))
    }

    @Test("a merged pull request integrates its merge commit with the PR's story ids and number")
    func mergedPullRequest() throws {
        #expect(try commands(map("pull_request-closed-merged", "pull_request")) == [MappedCommand(
            "integrate-commit",
            fields([
                "sha": "4c6e8a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a24", "branch": "main",
                "message": "PROJ-102: coupon entry in the cart (closes #57)", "author": "ada",
                "storyIds": ["PROJ-102", "acme:checkout-api:57"], "pullRequest": "482", "occurredAt": "2026-12-02T09:30:11Z",
            ]), alreadyRecorded: ["commit_already_integrated"])])
    }

    @Test("workflow runs are builds: requested and in progress start, completed passes or fails with its duration")
    func workflowRuns() throws {
        let build: [String: JSONValue] = ["buildId": "gh:run.11229988771.1", "sha": "2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92"]
        #expect(try commands(map("workflow_run-requested", "workflow_run")).map(\.fields) == [fields(build.merging(["occurredAt": "2026-12-01T09:14:20Z"]) { $1 })])
        #expect(try commands(map("workflow_run-in_progress", "workflow_run")).map(\.name) == ["start-build"])
        let passed = try commands(map("workflow_run-completed-success", "workflow_run"))
        #expect(passed.map(\.name) == ["pass-build"])
        #expect(passed[0].fields == fields(build.merging(["durationSeconds": .number(312), "occurredAt": "2026-12-01T09:19:43Z"]) { $1 }))
        let failed = try commands(map("workflow_run-completed-failure", "workflow_run"))
        #expect(failed[0].name == "fail-build")
        #expect(failed[0].fields == fields([
            "buildId": "gh:run.11229988799.2", "sha": "2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92", "durationSeconds": .number(150),
            "occurredAt": "2026-12-01T09:17:01Z", "reason": "CI failure",
        ]))
    }

    @Test("a check run with counts in its output is a test run")
    func checkRun() throws {
        #expect(try commands(map("check_run-completed", "check_run")).map(\.fields) == [fields([
            "runId": "gh:check.31556677889", "suite": "unit tests", "sha": "2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92",
            "passed": 412, "failed": 2, "skipped": 5, "durationSeconds": .number(150), "occurredAt": "2026-12-01T09:17:32Z",
        ])])
    }

    @Test("deployments and their statuses: Production is production; success and failure carry durations")
    func deployments() throws {
        let deployment: [String: JSONValue] = [
            "deploymentId": "gh:deployment.1488321", "environment": "production", "sha": "2a4b6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a92",
        ]
        #expect(try commands(map("deployment-created", "deployment")) == [MappedCommand(
            "start-deployment", fields(deployment.merging(["occurredAt": "2026-12-01T09:25:00Z"]) { $1 }),
            alreadyRecorded: ["deployment_already_started", "deployment_already_finished"])])
        #expect(try commands(map("deployment_status-in_progress", "deployment_status")).map(\.name) == ["start-deployment"])
        #expect(try commands(map("deployment_status-success", "deployment_status")).map(\.fields) == [
            fields(deployment.merging(["durationSeconds": .number(165), "occurredAt": "2026-12-01T09:27:45Z"]) { $1 })
        ])
        #expect(try commands(map("deployment_status-failure", "deployment_status")).map(\.fields) == [fields([
            "deploymentId": "gh:deployment.1488355", "environment": "production", "sha": "4c6e8a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a24",
            "durationSeconds": .number(190), "occurredAt": "2026-12-02T14:03:10Z", "reason": "Health check failed on 3 of 4 pods",
        ])])
    }

    @Test("an environment neither production nor the policy's is dead-lettered with what to change")
    func unknownEnvironment() throws {
        guard case .deadLetter(let reason) = try map("deployment-created-unknown-environment", "deployment") else {
            Issue.record("expected a dead letter")
            return
        }
        #expect(reason.contains("preview-pr-482") && reason.contains("production, prod"))
    }

    @Test("a published release is a release at its tag")
    func release() throws {
        #expect(try commands(map("release-published", "release")).map(\.fields) == [fields([
            "releaseId": "gh:release.184455667", "version": "v2.4.0", "notes": "Coupons in the cart (PROJ-101, PROJ-102).",
            "occurredAt": "2026-12-02T10:05:00Z",
        ])])
    }

    @Test("issues: incident-labelled ones open and resolve incidents with their severity; others are stories")
    func issues() throws {
        #expect(try commands(map("issues-opened-incident", "issues")).map(\.fields) == [fields([
            "incidentId": "acme:checkout-api:61", "title": "Checkout returns 500 for saved carts", "severity": 2,
            "occurredAt": "2026-12-02T14:10:00Z",
        ])])
        #expect(try commands(map("issues-closed-incident", "issues")).map(\.fields) == [fields([
            "incidentId": "acme:checkout-api:61", "occurredAt": "2026-12-02T15:40:00Z", "resolution": "closed as completed",
        ])])
        #expect(try commands(map("issues-opened", "issues")).map(\.fields) == [fields([
            "storyId": "acme:checkout-api:57", "title": "Let shoppers enter a coupon", "occurredAt": "2026-11-28T08:00:00Z",
        ])])
        #expect(try commands(map("issues-closed", "issues")).map(\.name) == ["complete-story"])
        #expect(try commands(map("issues-closed-not-planned", "issues")).map(\.fields) == [fields([
            "storyId": "acme:checkout-api:58", "occurredAt": "2026-12-01T12:00:00Z", "reason": "closed as not planned",
        ])])
    }

    @Test("services: an explicit map wins, --service-from map dead-letters the unmapped, names are lowercased into the pattern")
    func services() throws {
        let mapped = MappingContext(settings: SourceSettings(
            team: "payments", serviceFrom: .map, repositories: ["acme/checkout-api": .init(service: "checkout", team: "web")]))
        #expect(try commands(map("push-main", "push", mapped))[0].fields["service"] == "checkout")
        #expect(try commands(map("push-main", "push", mapped))[0].fields["team"] == "web")
        let unmapped = MappingContext(settings: SourceSettings(serviceFrom: .map))
        #expect(try map("push-main", "push", unmapped) == .deadLetter(
            "repository acme/checkout-api is not mapped to a service; add it with --map acme/checkout-api=service"))
        #expect(MappingContext.serviceName("Web.App_UI") == "web.app_ui")
        #expect(MappingContext.serviceName("My Repo!") == "my-repo-")
        #expect(MappingContext.serviceName("---") == nil)
    }

    @Test("story ids: the source's patterns, #123 as the repository's issue, each once, only valid ids")
    func storyIds() {
        let context = MappingContext(settings: SourceSettings(storyPatterns: ["[A-Z][A-Z0-9]+-[0-9]+", "ops/[0-9]+"]))
        #expect(context.storyIds(in: ["PROJ-1 and PROJ-1, OPS-7", "feature/PROJ-2-x", "see #9 and a#10 and &#11;"], repository: "o/r")
            == ["PROJ-1", "OPS-7", "PROJ-2", "o:r:9"])
        #expect(context.storyIds(in: ["ops/12"], repository: nil) == [])
        // A message naming 150 stories links the first 100 found: as many as a commit takes.
        let many = (1...150).map { "PROJ-\($0)" }
        #expect(context.storyIds(in: [many.joined(separator: " ")], repository: nil) == Array(many.prefix(ListLimits.storyIds)))
        #expect(MappedCommand("x", ["b": .integer(1), "a": .null, "c": "t"]).body == #"{"b":1,"c":"t"}"#)
    }

    @Test("severity labels")
    func severity() {
        #expect(GitHubIssues.severity(["incident", "sev1"]) == 1)
        #expect(GitHubIssues.severity(["severity:4"]) == 4)
        #expect(GitHubIssues.severity(["incident"]) == 3)
    }
}
