import JSON

/// `check_run` completed with test counts in its output (test reporters write "120 passed,
/// 1 failed, 3 skipped" into the title or summary) → a test run. GitHub's payload has no
/// structured counts, so a check without them, and `check_suite`, are ignored with the reason.
enum GitHubChecks {
    static func mapRun(_ event: GitHubEvent) -> MappingOutcome {
        let check = event.body["check_run"]
        guard event.action == "completed" else { return .ignored("check_run \(event.action) is not recorded; only completed runs are") }
        let output = [check["output"]["title"].string, check["output"]["summary"].string].compactMap { $0 }.joined(separator: "\n")
        guard let counts = TestCounts(output) else {
            return .ignored("the check run's output holds no test counts (\"N passed, N failed, N skipped\")")
        }
        guard let runId = GitHubEvent.id("check", check["id"].int) else { return .deadLetter("the check_run has no id") }
        return event.commands { target in
            [MappedCommand(
                "complete-test-run",
                MappingFields.target(target).merging([
                    "runId": .string(runId),
                    "suite": MappingFields.clipped(check["name"].text ?? "checks", 200),
                    "sha": MappingFields.text(check["head_sha"].string),
                    "passed": .integer(counts.passed), "failed": .integer(counts.failed), "skipped": .integer(counts.skipped),
                    "durationSeconds": MappingFields.number(
                        MappingFields.seconds(from: check["started_at"].string, to: check["completed_at"].string)),
                    "occurredAt": MappingFields.text(check["completed_at"].string),
                ]) { $1 },
                alreadyRecorded: ["test_run_already_completed"])]
        }
    }

    static func mapSuite(_ event: GitHubEvent) -> MappingOutcome {
        .ignored("check_suite carries no test counts; its check runs are recorded one by one")
    }
}

/// "120 passed, 1 failed, 3 skipped" in any order and case; at least one count must be there.
struct TestCounts: Equatable {
    var passed = 0
    var failed = 0
    var skipped = 0

    init?(_ text: String) {
        var found = false
        // Words in order: a number followed by one of the three words sets that count.
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }
        for (number, word) in zip(words, words.dropFirst()) {
            guard number.count <= 9, let count = Int(number) else { continue }
            switch word {
            case "passed": passed = count
            case "failed": failed = count
            case "skipped": skipped = count
            default: continue
            }
            found = true
        }
        guard found else { return nil }
    }
}
