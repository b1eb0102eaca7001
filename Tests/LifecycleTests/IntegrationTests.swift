import Foundation
import Lifecycle
import Testing

@Suite struct IntegrationTests {
    static let buildStarted = DomainEvent.buildStarted(
        BuildStarted(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))
    static let buildPassed = DomainEvent.buildPassed(
        BuildPassed(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))
    static let buildFailed = DomainEvent.buildFailed(
        BuildFailed(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))

    @Test func integrateCommitLinksNamedAndMentionedStories() throws {
        let command = try decode(
            "integrate-commit",
            #"""
            {"sha": "9FCEB02D0AE598E95DC970B74767F19372D61AF8", "service": "checkout-api", "branch": "release/2.4",
             "message": "PROJ-123: fix login (also OPS-7)", "author": "Ada Lovelace", "storyIds": ["PROJ-9", "OPS-7"],
             "pullRequest": "482", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(command.streamId == "commit-9fceb02d0ae598e95dc970b74767f19372d61af8")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .commitIntegrated(
                    CommitIntegrated(
                        sha: "9fceb02d0ae598e95dc970b74767f19372d61af8", branch: "release/2.4",
                        message: "PROJ-123: fix login (also OPS-7)", author: "Ada Lovelace",
                        storyIds: ["OPS-7", "PROJ-123", "PROJ-9"], pullRequest: "482", service: "checkout-api",
                        occurredAt: earlier))
            ])
    }

    @Test func integrateCommitDefaultsToMainAndNoStories() throws {
        let events = try decide("integrate-commit", #"{"sha": "9fceb02", "service": "checkout-api"}"#)
        #expect(
            events == [
                .commitIntegrated(
                    CommitIntegrated(
                        sha: "9fceb02", branch: "main", storyIds: [], service: "checkout-api", occurredAt: now))
            ])
    }

    @Test(arguments: [
        ("PROJ-123: fix login (also OPS-7)", ["OPS-7", "PROJ-123"]),
        ("no story here", []),
        ("proj-12 is lowercase", []),
        ("A-1 has a one-letter project", []),
        ("AB-1 is the shortest key", ["AB-1"]),
        ("xPROJ-1 and PROJ-1x are glued to words", []),
        ("PROJ-1_2 ends in a word character", []),
        ("PROJ-12, PROJ-12 and again PROJ-12.", ["PROJ-12"]),
        ("Fixes [OPS-7] and (WEB2-45)", ["OPS-7", "WEB2-45"]),
        ("ABC-DEF-12", ["DEF-12"]),
        ("PROJ-12-34", ["PROJ-12"]),
        ("2PROJ-1 starts after a digit", []),
        ("ÉPROJ-1 starts after a letter", []),
        ("subject\n\nbody mentions PROJ-5\nOPS-6", ["OPS-6", "PROJ-5"]),
        ("PROJ-10 PROJ-9 PROJ-100", ["PROJ-10", "PROJ-100", "PROJ-9"]),
    ])
    func storyIdsInCommitMessages(message: String, expected: [String]) {
        #expect(Lifecycle.storyIds(inCommitMessage: message) == expected)
    }

    @Test func startBuild() throws {
        let command = try decode("start-build", #"{"buildId": "4711", "sha": "9FCEB02", "service": "checkout-api"}"#)
        #expect(command.streamId == "build-4711")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .buildStarted(BuildStarted(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func passBuildAfterItsStart() throws {
        let events = try decide(
            "pass-build", #"{"buildId": "4711", "sha": "9FCEB02", "durationSeconds": 92.5, "service": "checkout-api"}"#,
            given: [Self.buildStarted])
        #expect(
            events == [
                .buildPassed(
                    BuildPassed(
                        buildId: "4711", sha: "9fceb02", durationSeconds: 92.5, service: "checkout-api", occurredAt: now
                    ))
            ])
    }

    @Test func aBuildThatNeverSaidItStartedMayFinish() throws {
        let events = try decide("pass-build", #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#)
        #expect(
            events == [
                .buildPassed(BuildPassed(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func failBuild() throws {
        let events = try decide(
            "fail-build",
            #"""
            {"buildId": "4711", "sha": "9fceb02", "reason": "unit tests failed", "durationSeconds": 30,
            "service": "checkout-api", "team": "payments"}
            """#,
            given: [Self.buildStarted])
        #expect(
            events == [
                .buildFailed(
                    BuildFailed(
                        buildId: "4711", sha: "9fceb02", reason: "unit tests failed", durationSeconds: 30,
                        service: "checkout-api", team: "payments", occurredAt: now))
            ])
    }

    static let pass = #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#
    static let fail = #"{"buildId": "4711", "sha": "9fceb02", "service": "checkout-api"}"#
    static let commit = #"{"sha": "9fceb02", "service": "checkout-api"}"#
    static let integrated = DomainEvent.commitIntegrated(
        CommitIntegrated(sha: "9fceb02", branch: "main", service: "checkout-api", occurredAt: earlier))

    static let refusals: [Refusal] = [
        Refusal("commit_already_integrated", "integrate-commit", commit, given: [integrated]),
        Refusal(
            "commit_already_integrated", "integrate-commit", #"{"sha": "9FCEB02", "service": "checkout-api"}"#,
            given: [integrated]),
        Refusal("invalid_field", field: "sha", "integrate-commit", #"{"sha": "9fceb0", "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "sha", "integrate-commit",
            #"{"sha": "9fceb02d0ae598e95dc970b74767f19372d61af8a", "service": "checkout-api"}"#),
        Refusal("invalid_field", field: "sha", "integrate-commit", #"{"sha": "9fceb0g", "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "message", "integrate-commit",
            #"{"sha": "9fceb02", "service": "checkout-api", "message": "\#(String(repeating: "m", count: 10_001))"}"#),
        Refusal(
            "invalid_field", field: "storyIds[1]", "integrate-commit",
            #"{"sha": "9fceb02", "service": "checkout-api", "storyIds": ["PROJ-1", "PROJ 2"]}"#),
        Refusal("build_already_started", "start-build", pass, given: [buildStarted]),
        Refusal("build_already_started", "start-build", pass, given: [buildPassed]),
        Refusal("build_already_finished", "pass-build", pass, given: [buildStarted, buildPassed]),
        Refusal("build_already_finished", "pass-build", pass, given: [buildFailed]),
        Refusal("build_already_finished", "fail-build", fail, given: [buildStarted, buildFailed]),
        Refusal("build_already_finished", "fail-build", fail, given: [buildPassed]),
        Refusal(
            "sha_mismatch", field: "sha", "pass-build",
            #"{"buildId": "4711", "sha": "1111111", "service": "checkout-api"}"#, given: [buildStarted]),
        Refusal(
            "sha_mismatch", field: "sha", "fail-build",
            #"{"buildId": "4711", "sha": "1111111", "service": "checkout-api"}"#, given: [buildStarted]),
        Refusal(
            "invalid_field", field: "durationSeconds", "pass-build",
            #"{"buildId": "4711", "sha": "9fceb02", "durationSeconds": -1, "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "durationSeconds", "fail-build",
            #"{"buildId": "4711", "sha": "9fceb02", "durationSeconds": "slow", "service": "checkout-api"}"#),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsABuildAndACommit() {
        #expect(
            fold([Self.buildStarted])
                == StreamState(
                    entity: .build(BuildState(buildId: "4711", sha: "9fceb02", status: .started)), version: 1))
        #expect(
            fold([Self.buildStarted, Self.buildPassed])
                == StreamState(entity: .build(BuildState(buildId: "4711", sha: "9fceb02", status: .passed)), version: 2)
        )
        #expect(fold([Self.buildFailed]).build?.status == .failed)
        #expect(fold([Self.integrated]) == StreamState(entity: .commit(CommitState(sha: "9fceb02")), version: 1))
    }
}
