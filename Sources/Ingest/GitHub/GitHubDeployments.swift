import JSON

/// `deployment` created → started; `deployment_status` → started (pending, queued,
/// in progress), succeeded or failed (failure, error). A status may arrive before its
/// deployment (webhooks race): a success without a start is recorded as it is, and the late
/// start then finds the deployment recorded and writes nothing.
enum GitHubDeployments {
    static let started: Set<String> = ["pending", "queued", "in_progress"]
    static let failed: Set<String> = ["failure", "error"]
    static let alreadyRecorded: Set<String> = ["deployment_already_started", "deployment_already_finished"]

    static func mapDeployment(_ event: GitHubEvent) -> MappingOutcome {
        guard event.action == "created" else { return .ignored("deployment \(event.action) is not recorded") }
        let deployment = event.body["deployment"]
        return build("start-deployment", event, deployment, environment: deployment["environment"].string) { _ in
            ["occurredAt": deployment["created_at"]]
        }
    }

    static func mapStatus(_ event: GitHubEvent) -> MappingOutcome {
        let status = event.body["deployment_status"]
        let deployment = event.body["deployment"]
        let state = status["state"].string ?? ""
        let name: String
        if started.contains(state) {
            name = "start-deployment"
        } else if state == "success" {
            name = "succeed-deployment"
        } else if failed.contains(state) {
            name = "fail-deployment"
        } else {
            return .ignored("deployment status \(state.isEmpty ? "(none)" : state) is not recorded")
        }
        let environment = status["environment"].text ?? deployment["environment"].string
        return build(name, event, deployment, environment: environment) { name in
            var fields: [String: JSONValue] = ["occurredAt": status["created_at"]]
            if name != "start-deployment" {
                fields["durationSeconds"] = MappingFields.number(
                    MappingFields.seconds(from: deployment["created_at"].string, to: status["created_at"].string))
            }
            if name == "fail-deployment" { fields["reason"] = MappingFields.clipped(status["description"].text ?? "deployment \(state)") }
            return fields
        }
    }

    private static func build(
        _ name: String, _ event: GitHubEvent, _ deployment: JSONValue, environment: String?,
        _ extra: (String) -> [String: JSONValue]
    ) -> MappingOutcome {
        guard let deploymentId = GitHubEvent.id("deployment", deployment["id"].int) else {
            return .deadLetter("the payload has no deployment id")
        }
        let resolved: String
        switch event.context.environment(environment) {
        case .success(let name): resolved = name
        case .failure(let unmapped): return .deadLetter(unmapped.reason)
        }
        return event.commands { target in
            [MappedCommand(
                name,
                MappingFields.target(target).merging([
                    "deploymentId": .string(deploymentId),
                    "environment": .string(resolved),
                    "sha": MappingFields.text(deployment["sha"].string),
                ]) { $1 }.merging(extra(name)) { $1 },
                alreadyRecorded: alreadyRecorded)]
        }
    }
}
