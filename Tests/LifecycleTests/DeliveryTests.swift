import Foundation
import Lifecycle
import Testing

@Suite struct DeliveryTests {
    static let started = DomainEvent.deploymentStarted(
        DeploymentStarted(
            deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711", version: "2.4.0",
            service: "checkout-api", occurredAt: earlier))
    static let succeeded = DomainEvent.deploymentSucceeded(
        DeploymentSucceeded(
            deploymentId: "dep-301", environment: "production", sha: "9fceb02", service: "checkout-api",
            occurredAt: earlier))
    static let failed = DomainEvent.deploymentFailed(
        DeploymentFailed(
            deploymentId: "dep-301", environment: "production", sha: "9fceb02", service: "checkout-api",
            occurredAt: earlier))
    static let rolledBack = DomainEvent.deploymentRolledBack(
        DeploymentRolledBack(
            deploymentId: "dep-301", environment: "production", sha: "9fceb02", service: "checkout-api",
            occurredAt: earlier))
    static let buildPassed = DomainEvent.buildPassed(
        BuildPassed(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))
    static let buildFailed = DomainEvent.buildFailed(
        BuildFailed(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))
    static let buildStarted = DomainEvent.buildStarted(
        BuildStarted(buildId: "4711", sha: "9fceb02", service: "checkout-api", occurredAt: earlier))

    /// A deployment body: dep-301 of 9fceb02 to production, plus `extra` fields.
    static func body(_ extra: String = "") -> String {
        #"""
        {"deploymentId": "dep-301", "environment": "production", "sha": "9fceb02",
        "service": "checkout-api"\#(extra)}
        """#
    }

    @Test func startDeploymentOfABuildThatPassed() throws {
        let command = try decode(
            "start-deployment",
            Self.body(
                #", "buildId": "4711", "version": "2.4.0", "team": "payments", "occurredAt": "2025-03-01T11:59:00Z""#))
        #expect(command.streamId == "deployment-dep-301")
        #expect(command.relatedStreamIds == ["build-4711"])
        let events = try Decider.decide(
            command, state: .empty, related: ["build-4711": fold([Self.buildPassed])], now: now, policy: Policy())
        #expect(
            events == [
                .deploymentStarted(
                    DeploymentStarted(
                        deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                        version: "2.4.0", service: "checkout-api", team: "payments", occurredAt: earlier))
            ])
    }

    @Test func aDeploymentWithoutBuildReadsNoOtherStream() throws {
        #expect(try decode("start-deployment", Self.body()).relatedStreamIds == [])
        #expect(try decode("succeed-deployment", Self.body()).relatedStreamIds == [])
        #expect(try decode("fail-deployment", Self.body(#", "buildId": "4711""#)).relatedStreamIds == ["build-4711"])
    }

    @Test func aBuildNotKnownOrStillRunningMayBeDeployed() throws {
        let unknown = try decide("start-deployment", Self.body(#", "buildId": "4711""#))
        let running = try decide(
            "start-deployment", Self.body(#", "buildId": "4711""#), related: ["build-4711": [Self.buildStarted]])
        let expected = DomainEvent.deploymentStarted(
            DeploymentStarted(
                deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                service: "checkout-api", occurredAt: now))
        #expect(unknown == [expected])
        #expect(running == [expected])
    }

    @Test func theEnvironmentsComeFromThePolicy() throws {
        let policy = Policy(environments: ["prod-eu"])
        let events = try decide(
            "start-deployment",
            #"{"deploymentId": "dep-301", "environment": "prod-eu", "sha": "9fceb02", "service": "checkout-api"}"#,
            policy: policy)
        #expect(
            events == [
                .deploymentStarted(
                    DeploymentStarted(
                        deploymentId: "dep-301", environment: "prod-eu", sha: "9fceb02", service: "checkout-api",
                        occurredAt: now))
            ])
    }

    @Test func succeedDeploymentKeepsTheBuildAndVersionOfItsStart() throws {
        let events = try decide("succeed-deployment", Self.body(#", "durationSeconds": 42"#), given: [Self.started])
        #expect(
            events == [
                .deploymentSucceeded(
                    DeploymentSucceeded(
                        deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                        version: "2.4.0", durationSeconds: 42, service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func succeedDeploymentWithoutAStart() throws {
        let events = try decide(
            "succeed-deployment", Self.body(#", "buildId": "4711", "version": "2.4.1""#),
            related: ["build-4711": [Self.buildPassed]])
        #expect(
            events == [
                .deploymentSucceeded(
                    DeploymentSucceeded(
                        deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                        version: "2.4.1", service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func failDeployment() throws {
        let events = try decide(
            "fail-deployment", Self.body(#", "reason": "health check timed out", "durationSeconds": 600"#),
            given: [Self.started])
        #expect(
            events == [
                .deploymentFailed(
                    DeploymentFailed(
                        deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711",
                        version: "2.4.0", reason: "health check timed out", durationSeconds: 600,
                        service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func rollBackDeploymentNamesWhatItUndid() throws {
        let events = try decide(
            "roll-back-deployment",
            #"""
            {"deploymentId": "dep-301", "reason": "error rate", "toVersion": "2.3.9", "toSha": "AB12CD3",
            "service": "checkout-api"}
            """#,
            given: [Self.started, Self.succeeded])
        #expect(
            events == [
                .deploymentRolledBack(
                    DeploymentRolledBack(
                        deploymentId: "dep-301", environment: "production", sha: "9fceb02", reason: "error rate",
                        toVersion: "2.3.9", toSha: "ab12cd3", service: "checkout-api", occurredAt: now))
            ])
    }

    @Test func publishRelease() throws {
        let command = try decode(
            "publish-release",
            #"""
            {"releaseId": "2024.10", "version": "2.4.0", "sha": "9FCEB02", "deploymentIds": ["dep-301", "dep-302"],
             "notes": "SSO sign-in", "service": "checkout-api"}
            """#)
        #expect(command.streamId == "release-2024.10")
        let events = try Decider.decide(command, state: .empty, related: [:], now: now, policy: Policy())
        #expect(
            events == [
                .releasePublished(
                    ReleasePublished(
                        releaseId: "2024.10", version: "2.4.0", sha: "9fceb02", deploymentIds: ["dep-301", "dep-302"],
                        notes: "SSO sign-in", service: "checkout-api", occurredAt: now))
            ])
    }

    static let release = #"{"releaseId": "2024.10", "version": "2.4.0", "service": "checkout-api"}"#
    static let rollBack = #"{"deploymentId": "dep-301", "service": "checkout-api"}"#

    static let refusals: [Refusal] = [
        Refusal(
            "unknown_environment", field: "environment", "start-deployment",
            #"{"deploymentId": "dep-301", "environment": "prod", "sha": "9fceb02", "service": "checkout-api"}"#),
        Refusal(
            "build_failed", field: "buildId", "start-deployment", body(#", "buildId": "4711""#),
            related: ["build-4711": [buildStarted, buildFailed]]),
        Refusal("deployment_already_started", "start-deployment", body(), given: [started]),
        Refusal("deployment_already_started", "start-deployment", body(), given: [succeeded]),
        Refusal("invalid_field", field: "version", "start-deployment", body(#", "version": """#)),
        Refusal(
            "missing_field", field: "environment", "start-deployment",
            #"{"deploymentId": "d", "sha": "9fceb02", "service": "s"}"#),
        Refusal("deployment_already_finished", "succeed-deployment", body(), given: [started, succeeded]),
        Refusal("deployment_already_finished", "succeed-deployment", body(), given: [started, failed]),
        Refusal("deployment_already_finished", "succeed-deployment", body(), given: [succeeded, rolledBack]),
        Refusal("deployment_already_finished", "fail-deployment", body(), given: [failed]),
        Refusal(
            "environment_mismatch", field: "environment", "succeed-deployment",
            #"{"deploymentId": "dep-301", "environment": "staging", "sha": "9fceb02", "service": "checkout-api"}"#,
            given: [started]),
        Refusal(
            "sha_mismatch", field: "sha", "succeed-deployment",
            #"{"deploymentId": "dep-301", "environment": "production", "sha": "1111111", "service": "checkout-api"}"#,
            given: [started]),
        Refusal(
            "sha_mismatch", field: "sha", "fail-deployment",
            #"{"deploymentId": "dep-301", "environment": "production", "sha": "1111111", "service": "checkout-api"}"#,
            given: [started]),
        Refusal(
            "unknown_environment", field: "environment", "succeed-deployment",
            #"{"deploymentId": "dep-301", "environment": "qa", "sha": "9fceb02", "service": "checkout-api"}"#),
        Refusal(
            "build_failed", field: "buildId", "succeed-deployment", body(#", "buildId": "4711""#),
            related: ["build-4711": [buildFailed]]),
        Refusal(
            "build_failed", field: "buildId", "fail-deployment", body(#", "buildId": "4711""#),
            related: ["build-4711": [buildFailed]]),
        Refusal("invalid_field", field: "durationSeconds", "succeed-deployment", body(#", "durationSeconds": -0.5"#)),
        Refusal("deployment_not_found", "roll-back-deployment", rollBack),
        Refusal("deployment_not_succeeded", "roll-back-deployment", rollBack, given: [started]),
        Refusal("deployment_not_succeeded", "roll-back-deployment", rollBack, given: [started, failed]),
        Refusal("deployment_already_rolled_back", "roll-back-deployment", rollBack, given: [succeeded, rolledBack]),
        Refusal(
            "invalid_field", field: "toSha", "roll-back-deployment",
            #"{"deploymentId": "dep-301", "toSha": "HEAD~1", "service": "checkout-api"}"#),
        Refusal(
            "release_already_published", "publish-release", release,
            given: [
                .releasePublished(
                    ReleasePublished(
                        releaseId: "2024.10", version: "2.4.0", service: "checkout-api", occurredAt: earlier))
            ]),
        Refusal(
            "invalid_field", field: "version", "publish-release",
            #"{"releaseId": "2024.10", "version": "", "service": "checkout-api"}"#),
        Refusal(
            "invalid_field", field: "version", "publish-release",
            #"{"releaseId": "2024.10", "version": "\#(String(repeating: "9", count: 101))", "service": "checkout-api"}"#
        ),
        Refusal(
            "invalid_field", field: "deploymentIds[1]", "publish-release",
            #"""
            {"releaseId": "2024.10", "version": "2.4.0", "deploymentIds": ["dep-301", "dep 302"],
            "service": "checkout-api"}
            """#
        ),
        Refusal(
            "invalid_field", field: "notes", "publish-release",
            #"""
            {"releaseId": "2024.10", "version": "2.4.0", "notes": "\#(String(repeating: "n", count: 10_001))",
            "service": "checkout-api"}
            """#
        ),
    ]

    @Test(arguments: refusals) func refuses(_ refusal: Refusal) {
        refusal.check()
    }

    @Test func evolveFoldsADeployment() {
        let expected = DeploymentState(
            deploymentId: "dep-301", environment: "production", sha: "9fceb02", buildId: "4711", version: "2.4.0",
            status: .started)
        #expect(fold([Self.started]) == StreamState(entity: .deployment(expected), version: 1))
        var rolledBack = expected
        rolledBack.status = .rolledBack
        #expect(fold([Self.started, Self.rolledBack]) == StreamState(entity: .deployment(rolledBack), version: 2))
        #expect(fold([Self.succeeded]).deployment?.status == .succeeded)
        #expect(fold([Self.failed]).deployment?.status == .failed)
        let release = DomainEvent.releasePublished(
            ReleasePublished(releaseId: "2024.10", version: "2.4.0", service: "checkout-api", occurredAt: earlier))
        #expect(
            fold([release])
                == StreamState(entity: .release(ReleaseState(releaseId: "2024.10", version: "2.4.0")), version: 1))
    }
}
