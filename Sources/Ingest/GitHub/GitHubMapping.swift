import Foundation
import JSON

/// GitHub webhooks: `X-GitHub-Event` names the payload's shape (docs.github.com, "Webhook
/// events and payloads"); each tracked event has a file of its own here.
enum GitHubMapping: SourceAdapter {
    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        try GitHubSignature.verify(headers: request.headers, body: request.body, secret: secret)
    }

    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        DeliveryPayload(event: headers["x-github-event"] ?? "", body: try json(body), headers: headers)
    }

    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String? { headers["x-github-delivery"] }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let event = GitHubEvent(body: payload.body, context: context)
        switch payload.event {
        case "ping": return .ignored("ping: GitHub is checking the webhook; there is nothing to record")
        case "push": return GitHubPush.map(event)
        case "pull_request": return GitHubPullRequest.map(event)
        case "workflow_run": return GitHubWorkflowRun.map(event)
        case "check_run": return GitHubChecks.mapRun(event)
        case "check_suite": return GitHubChecks.mapSuite(event)
        case "deployment": return GitHubDeployments.mapDeployment(event)
        case "deployment_status": return GitHubDeployments.mapStatus(event)
        case "release": return GitHubRelease.map(event)
        case "issues": return GitHubIssues.map(event)
        case "": return .deadLetter("the delivery has no X-GitHub-Event header")
        default: return .ignored("GitHub event \"\(payload.event)\" is not one Loopline records")
        }
    }
}

/// A GitHub payload with what every mapping reads: the repository, its default branch, the
/// action, and the service it maps to.
struct GitHubEvent {
    let body: JSONValue
    let context: MappingContext

    var action: String { body["action"].string ?? "" }
    /// `owner/repo`.
    var repository: String? { body["repository"]["full_name"].text }
    var defaultBranch: String { body["repository"]["default_branch"].text ?? "main" }

    func storyIds(_ texts: String?...) -> [String] { context.storyIds(in: texts, repository: repository) }

    /// Builds commands once the repository's service is known; unmapped → dead-lettered.
    func commands(_ build: (SourceSettings.Target) -> [MappedCommand]) -> MappingOutcome {
        context.commands(repository: repository, build)
    }

    /// An entity id made from GitHub's numeric ids: `gh:run.123.1`.
    static func id(_ kind: String, _ parts: Int?...) -> String? {
        var text = "gh:\(kind)"
        for part in parts {
            guard let part else { return nil }
            text += ".\(part)"
        }
        return text
    }
}
