public import Foundation

/// Records a finished test suite run: `complete-test-run` → `TestRunCompleted`.
public struct CompleteTestRun: Codable, Sendable, Equatable {
    public var runId: String
    /// 1–200 characters, e.g. `unit` or `e2e-checkout`.
    public var suite: String
    public var sha: String
    public var buildId: String?
    /// 0 or more.
    public var passed: Int
    /// 0 or more.
    public var failed: Int
    /// 0 or more.
    public var skipped: Int
    /// At most 1,000 names, and no more than `failed`.
    public var failingTests: [String]?
    /// 0 or more.
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?

    public init(
        runId: String, suite: String, sha: String, buildId: String? = nil, passed: Int, failed: Int, skipped: Int,
        failingTests: [String]? = nil, durationSeconds: Double? = nil, service: String, team: String? = nil,
        occurredAt: Date? = nil
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
        self.service = service
        self.team = team
        self.occurredAt = occurredAt
    }
}

extension CompleteTestRun: CommandPayload {
    static let name = "complete-test-run"
    var streamId: String { "testrun-\(runId)" }
    var command: Command { .completeTestRun(self) }

    init(json: JSONFields) throws(DomainError) {
        try self.init(
            runId: json.string("runId"), suite: json.string("suite"), sha: json.string("sha"),
            buildId: json.optionalString("buildId"), passed: json.int("passed"), failed: json.int("failed"),
            skipped: json.int("skipped"), failingTests: json.optionalStrings("failingTests"),
            durationSeconds: json.optionalNumber("durationSeconds"), service: json.string("service"),
            team: json.optionalString("team"), occurredAt: json.optionalDate("occurredAt"))
    }

    func validated() throws(DomainError) -> CompleteTestRun {
        var copy = self
        try FieldRules.entityId(runId, "runId")
        try FieldRules.length(suite, "suite", 1...200)
        copy.sha = try FieldRules.sha(sha, "sha")
        try FieldRules.entityId(buildId, "buildId")
        try FieldRules.count(passed, "passed")
        try FieldRules.count(failed, "failed")
        try FieldRules.count(skipped, "skipped")
        try checkFailingTests()
        try FieldRules.duration(durationSeconds)
        try FieldRules.serviceAndTeam(service, team)
        return copy
    }

    /// A list may be cut short, but never names more failures than were counted.
    private func checkFailingTests() throws(DomainError) {
        let names = failingTests?.count ?? 0
        guard names > min(failed, 1000) else { return }
        throw .invalidField(
            "failingTests",
            "failingTests names \(names) tests; it may name at most 1000, and no more than failed (\(failed))")
    }
}
