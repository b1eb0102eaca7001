import JSON

/// `Pipeline Hook`: a pipeline is a build. Running → started; success → passed; failed →
/// failed. Canceled and skipped pipelines are not outcomes of the code and are ignored, as are
/// the states before running (created, pending, manual, …). GitLab's payload carries no test
/// report counts (its jobs have a stage, status and duration only), so its test-stage jobs
/// record no test runs; docs/ingest.md shows how a CI job sends its JUnit counts instead.
enum GitLabPipeline {
    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let pipeline = event.attributes
        guard let buildId = GitLabEvent.id("pipeline", pipeline["id"].int) else { return .deadLetter("the pipeline has no id") }
        let status = pipeline["status"].string ?? ""
        let common: [String: JSONValue] = ["buildId": .string(buildId), "sha": MappingFields.text(pipeline["sha"].string)]
        switch status {
        case "running":
            return event.commands { target in
                [MappedCommand(
                    "start-build", MappingFields.target(target).merging(common) { $1 }.merging(["occurredAt": GitLabEvent.time(pipeline["created_at"])]) { $1 },
                    alreadyRecorded: ["build_already_started", "build_already_finished"])]
            }
        case "success", "failed":
            return finished(event, pipeline, common, passed: status == "success")
        case "canceled", "skipped":
            return .ignored("the pipeline was \(status), neither passed nor failed")
        default:
            return .ignored("pipeline status \(status.isEmpty ? "(none)" : status) is not recorded")
        }
    }

    private static func finished(_ event: GitLabEvent, _ pipeline: JSONValue, _ common: [String: JSONValue], passed: Bool) -> MappingOutcome {
        var fields = common
        fields["durationSeconds"] = MappingFields.number(
            pipeline["duration"].double ?? MappingFields.seconds(
                from: GitLabEvent.time(pipeline["created_at"]).string, to: GitLabEvent.time(pipeline["finished_at"]).string))
        fields["occurredAt"] = GitLabEvent.time(pipeline["finished_at"])
        if !passed {
            let failedJobs = event.body["builds"].elements.filter { $0["status"].string == "failed" }.compactMap { $0["name"].text }
            fields["reason"] = .string(failedJobs.isEmpty ? "pipeline failed" : "failed jobs: \(failedJobs.sorted().joined(separator: ", "))")
        }
        return event.commands { target in
            [MappedCommand(
                passed ? "pass-build" : "fail-build", MappingFields.target(target).merging(fields) { $1 },
                alreadyRecorded: ["build_already_finished"])]
        }
    }
}
