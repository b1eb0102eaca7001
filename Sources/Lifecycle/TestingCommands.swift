public import Foundation

/// Records a finished test suite run: `complete-test-run` → `TestRunCompleted`.
public struct CompleteTestRun: Codable, Sendable, Equatable {
    public var runId: String
    public var suite: String
    public var sha: String
    public var buildId: String?
    public var passed: Int
    public var failed: Int
    public var skipped: Int
    public var failingTests: [String]?
    public var durationSeconds: Double?
    public var service: String
    public var team: String?
    public var occurredAt: Date?
}

extension CompleteTestRun: CommandPayload {
    static let spec = CommandSpec<Self>(
        "complete-test-run", Command.completeTestRun, stream: { "testrun-\($0.runId)" },
        fields: [
            .id("runId"), .text("suite", 1...200), .sha("sha"),
            .id("buildId", .optional, "the build whose artefact was tested"),
            .count("passed"), .count("failed"), .count("skipped"),
            .strings(
                "failingTests", maximum: ListLimits.failingTests, length: ListLimits.testNameLength,
                .optional(default: "`[]`"), "no more names than `failed`", check: checkFailingTests),
            .duration(),
        ])

    /// A list may be cut short, but never names more failures than were counted.
    private static func checkFailingTests(_ names: [String], _ fields: FieldValues) throws(DomainError) {
        guard case .integer(let failed)? = fields["failed"], names.count > failed else { return }
        throw .invalidField(
            "failingTests", "failingTests names \(names.count) tests, more than failed (\(failed))")
    }
}
