import Foundation
import JSON

/// GitLab webhooks: `X-Gitlab-Event` names the hook (docs.gitlab.com, "Webhook events"); each
/// tracked hook has a file of its own here. The secret token is sent as it is, in
/// `X-Gitlab-Token`; GitLab's `Idempotency-Key` (17.4+) or `X-Gitlab-Event-UUID` identify a
/// delivery across retries.
enum GitLabMapping: SourceAdapter {
    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        try SharedSecret.verifyHeader("X-Gitlab-Token", request.headers, secret: secret)
    }

    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        DeliveryPayload(event: headers["x-gitlab-event"] ?? "", body: try json(body), headers: headers)
    }

    /// Hooks one event sets off (a push's Push and Pipeline hooks, say) may share an event UUID,
    /// so the hook's name is part of the key.
    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String? {
        headers["x-gitlab-event-uuid"].map { "\(payload.event) \($0)" }
    }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let event = GitLabEvent(body: payload.body, context: context)
        switch payload.event {
        case "Push Hook": return GitLabPush.map(event)
        case "Merge Request Hook": return GitLabMergeRequest.map(event)
        case "Pipeline Hook": return GitLabPipeline.map(event)
        case "Deployment Hook": return GitLabDeployment.map(event)
        case "Issue Hook": return GitLabIssues.map(event)
        case "Release Hook": return GitLabRelease.map(event)
        case "": return .deadLetter("the delivery has no X-Gitlab-Event header")
        default: return .ignored("GitLab event \"\(payload.event)\" is not one Loopline records")
        }
    }
}

/// A GitLab payload with what every mapping reads: the project, its default branch, the
/// service it maps to.
struct GitLabEvent {
    let body: JSONValue
    let context: MappingContext

    /// `group/project`, or `group/subgroup/project`.
    var repository: String? { body["project"]["path_with_namespace"].text }
    var defaultBranch: String { body["project"]["default_branch"].text ?? "main" }
    var attributes: JSONValue { body["object_attributes"] }

    func storyIds(_ texts: String?...) -> [String] { context.storyIds(in: texts, repository: repository) }

    /// Builds commands once the project's service is known; unmapped → dead-lettered.
    func commands(_ build: (SourceSettings.Target) -> [MappedCommand]) -> MappingOutcome {
        context.commands(repository: repository, build)
    }

    /// An entity id made from GitLab's numeric ids: `gl:pipeline.2001`.
    static func id(_ kind: String, _ number: Int?) -> String? { number.map { "gl:\(kind).\($0)" } }

    /// GitLab writes most hook times as `2026-10-06 08:00:00 UTC` or `… +0200`, some as ISO
    /// 8601: the former become the latter. Anything else passes as it is, so the command is
    /// refused with the field named instead of being recorded at the wrong time.
    static func time(_ value: JSONValue) -> JSONValue {
        guard let text = value.string else { return .null }
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0].count == 10, parts[1].count == 8 else { return .string(text) }
        return .string("\(parts[0])T\(parts[1])\(parts[2] == "UTC" ? "Z" : String(parts[2]))")
    }
}
