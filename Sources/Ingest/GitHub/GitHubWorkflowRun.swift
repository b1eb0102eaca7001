import JSON

/// `workflow_run`: a GitHub Actions run is a build. Requested or in progress → started;
/// completed → passed or failed by its conclusion (cancelled, skipped and the like are not
/// outcomes of the code and are ignored). Each attempt of a run is a build of its own.
enum GitHubWorkflowRun {
    static let failures: Set<String> = ["failure", "timed_out", "startup_failure"]

    static func map(_ event: GitHubEvent) -> MappingOutcome {
        let run = event.body["workflow_run"]
        guard let buildId = GitHubEvent.id("run", run["id"].int, run["run_attempt"].int ?? 1) else {
            return .deadLetter("the workflow_run has no id")
        }
        let common: [String: JSONValue] = ["buildId": .string(buildId), "sha": MappingFields.text(run["head_sha"].string)]
        switch event.action {
        case "requested", "in_progress":
            let time = event.action == "requested" ? run["created_at"] : run["run_started_at"]
            return event.commands { target in
                [MappedCommand(
                    "start-build", MappingFields.target(target).merging(common) { $1 }.merging(["occurredAt": time]) { $1 },
                    alreadyRecorded: ["build_already_started", "build_already_finished"])]
            }
        case "completed":
            return completed(event, run, common)
        default:
            return .ignored("workflow_run \(event.action) is not recorded")
        }
    }

    private static func completed(_ event: GitHubEvent, _ run: JSONValue, _ common: [String: JSONValue]) -> MappingOutcome {
        let conclusion = run["conclusion"].string ?? ""
        let passed = conclusion == "success"
        guard passed || failures.contains(conclusion) else {
            return .ignored("the workflow run ended \(conclusion.isEmpty ? "without a conclusion" : conclusion), neither passed nor failed")
        }
        var fields = common
        fields["durationSeconds"] = MappingFields.number(
            MappingFields.seconds(from: run["run_started_at"].string, to: run["updated_at"].string))
        fields["occurredAt"] = run["updated_at"]
        if !passed { fields["reason"] = .string("\(run["name"].string ?? "workflow") \(conclusion)") }
        return event.commands { target in
            [MappedCommand(
                passed ? "pass-build" : "fail-build", MappingFields.target(target).merging(fields) { $1 },
                alreadyRecorded: ["build_already_finished"])]
        }
    }
}
