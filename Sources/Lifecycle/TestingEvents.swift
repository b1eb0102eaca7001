public import Foundation

/// A test suite ran against a commit. Stream `testrun-{runId}`.
public struct TestRunCompleted: Codable, Sendable, Equatable {
    public var runId: String
    public var suite: String
    public var sha: String
    /// The build whose artefact was tested, if any.
    public var buildId: String?
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    /// Names of failing tests, at most `failed` of them (reporters may truncate the list).
    public var failingTests: [String]
    public var durationSeconds: Double?
    public var occurredAt: Date
    public var service: String
    public var team: String?

    public init(
        runId: String, suite: String, sha: String, buildId: String? = nil, passed: Int, failed: Int, skipped: Int,
        failingTests: [String] = [], durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date
    ) {
        self.runId = runId
        self.suite = suite
        self.sha = sha
        self.buildId = buildId
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
        self.failingTests = failingTests
        self.durationSeconds = durationSeconds
        self.occurredAt = occurredAt
        self.service = service
        self.team = team
    }
}

extension TestRunCompleted: EventPayload {
    static let eventType = "TestRunCompleted"
    var streamId: String { "testrun-\(runId)" }
    var event: DomainEvent { .testRunCompleted(self) }
}
