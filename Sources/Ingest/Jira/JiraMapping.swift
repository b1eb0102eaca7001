import Foundation
import JSON

/// Jira webhooks (Jira Cloud and Data Center): `webhookEvent` names the event. A webhook with
/// a secret signs the body (`X-Hub-Signature: sha256=…`); a server that cannot sign sends the
/// source's secret as the `secret` query parameter instead. `X-Atlassian-Webhook-Identifier`
/// stays the same across Jira's retries of one delivery.
enum JiraMapping: SourceAdapter {
    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        if request.headers["x-hub-signature"] != nil {
            try SharedSecret.verifyHMAC("X-Hub-Signature", request.headers, body: request.body, secret: secret)
        } else if let presented = request.query["secret"] {
            guard SharedSecret.matches(presented, secret) else {
                throw IngestError(.unauthenticated, "the secret query parameter does not match the source's secret", field: "secret")
            }
        } else {
            throw IngestError(
                .unauthenticated, "the delivery has neither an X-Hub-Signature header nor a secret query parameter; give the webhook the source's secret",
                field: "X-Hub-Signature")
        }
    }

    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        let value = try json(body)
        return DeliveryPayload(event: value["webhookEvent"].string ?? "", body: value, headers: headers)
    }

    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String? { headers["x-atlassian-webhook-identifier"] }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let issue = JiraIssue(body: payload.body, context: context)
        switch payload.event {
        case "jira:issue_created": return issue.created()
        case "jira:issue_updated": return issue.updated()
        case "jira:issue_deleted":
            return .ignored("a deleted issue is not recorded: the log keeps what happened to it, and its story stays as it was")
        case "": return .deadLetter("the payload has no webhookEvent")
        default: return .ignored("Jira event \"\(payload.event)\" is not one Loopline records")
        }
    }
}
