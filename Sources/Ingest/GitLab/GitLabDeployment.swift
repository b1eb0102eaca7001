import JSON
import Lifecycle

/// `Deployment Hook`: running → started, success → succeeded, failed → failed. A canceled
/// deployment is ignored: it is no outcome of the change, and counting it failed would raise
/// the change failure rate for a deployment nobody ran. The payload names the commit by
/// `short_sha` and `commit_url` only; the full sha is the URL's last segment.
enum GitLabDeployment {
    static let alreadyRecorded: Set<String> = ["deployment_already_started", "deployment_already_finished"]

    static func map(_ event: GitLabEvent) -> MappingOutcome {
        let status = event.body["status"].string ?? ""
        let name: String
        switch status {
        case "running": name = "start-deployment"
        case "success": name = "succeed-deployment"
        case "failed": name = "fail-deployment"
        case "canceled": return .ignored("the deployment was canceled, neither succeeded nor failed")
        default: return .ignored("deployment status \(status.isEmpty ? "(none)" : status) is not recorded")
        }
        guard let deploymentId = GitLabEvent.id("deployment", event.body["deployment_id"].int) else {
            return .deadLetter("the payload has no deployment_id")
        }
        guard let sha = sha(event.body) else { return .deadLetter("the deployment names no full commit sha (commit_url)") }
        let environment: String
        switch event.context.environment(event.body["environment"].string) {
        case .success(let resolved): environment = resolved
        case .failure(let unmapped): return .deadLetter(unmapped.reason)
        }
        var fields: [String: JSONValue] = [
            "deploymentId": .string(deploymentId), "environment": .string(environment), "sha": .string(sha),
            "occurredAt": GitLabEvent.time(event.body["status_changed_at"]),
        ]
        if name == "fail-deployment" { fields["reason"] = .string("deployment failed (job \(event.body["deployable_id"].int.map(String.init) ?? "?"))") }
        return event.commands { target in
            [MappedCommand(name, MappingFields.target(target).merging(fields) { $1 }, alreadyRecorded: alreadyRecorded)]
        }
    }

    /// The full sha: the last segment of `commit_url`, when it is one and starts with `short_sha`.
    static func sha(_ body: JSONValue) -> String? {
        guard let last = body["commit_url"].string?.split(separator: "/").last.map(String.init), CatalogueNames.isSha(last) else { return nil }
        if let short = body["short_sha"].text, !last.hasPrefix(short) { return nil }
        return last
    }
}
