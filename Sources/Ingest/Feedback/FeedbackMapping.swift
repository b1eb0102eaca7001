import Crypto
import Foundation
import JSON
import Lifecycle

/// Survey answers and plain HTML forms: a JSON object or a form with `rating` (1–5) and
/// optionally `text`, `storyId`, `releaseId`, `service`, `team`, `source` (the channel: the
/// source's name by default), `occurredAt` and `id`. Other fields (a form's submit button)
/// are ignored. The bearer secret authenticates the tool; a form posted from a browser goes
/// through a small proxy of the team's that adds it (the secret must not be in a page).
///
/// One answer is one delivery, keyed by `Idempotency-Key`, else the answer's `id`, else a
/// fresh key: two people who answer alike are two answers, so a tool that resends must name
/// its answers. `loopline import feedback` keys each CSV row by its content.
enum FeedbackMapping: SourceAdapter {
    static let fields = ["rating", "text", "storyId", "releaseId", "service", "team", "source", "occurredAt", "id"]

    static func authenticate(_ request: IngestRequest, secret: String) throws(IngestError) {
        try SharedSecret.verifyBearer(request.headers, secret: secret)
    }

    static func payload(headers: [String: String], body: Data) throws(IngestError) -> DeliveryPayload {
        let media = headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let value: JSONValue = media == "application/x-www-form-urlencoded"
            ? .object(try FormBody.fields(body).mapValues(JSONValue.string)) : try json(body)
        guard case .object = value else { throw IngestError(.invalidBody, "feedback is a JSON object or a form of fields") }
        return DeliveryPayload(event: "feedback", body: value, headers: headers)
    }

    static func deliveryId(_ headers: [String: String], _ payload: DeliveryPayload) -> String? {
        Self.answerId(payload.body).map { "id:\($0)" } ?? "unkeyed:\(UUID().uuidString.lowercased())"
    }

    /// The answer's own id, as text, when it has one.
    static func answerId(_ body: JSONValue) -> String? {
        body["id"].text ?? body["id"].int.map(String.init)
    }

    static func map(_ payload: DeliveryPayload, _ context: MappingContext) -> MappingOutcome {
        let body = payload.body
        guard let rating = rating(body["rating"]) else {
            return .deadLetter("the answer has no rating from 1 to 5 (rating: \(body["rating"].isNull ? "absent" : JSONText.write(body["rating"])))")
        }
        guard let service = body["service"].text ?? context.settings.service else {
            return .deadLetter("the answer names no service; send a service field or set the source's --service")
        }
        return .commands([MappedCommand(
            "receive-feedback",
            [
                "feedbackId": .string(feedbackId(payload.key, context.sourceName)),
                "source": .string(body["source"].text ?? channel(context.sourceName)),
                "rating": .integer(rating), "text": MappingFields.clipped(body["text"].text),
                "storyId": MappingFields.text(body["storyId"].text), "releaseId": MappingFields.text(body["releaseId"].text),
                "service": .string(service), "team": MappingFields.text(body["team"].text ?? context.settings.team),
                "occurredAt": MappingFields.text(body["occurredAt"].text),
            ],
            alreadyRecorded: ["feedback_already_received"])])
    }

    /// A whole number 1–5, as a JSON number or the text a form or CSV carries.
    static func rating(_ value: JSONValue) -> Int? {
        let number = value.int ?? value.double.flatMap { $0.rounded() == $0 ? Int(exactly: $0) : nil }
            ?? value.string.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return number.flatMap { (1...5).contains($0) ? $0 : nil }
    }

    /// The same answer (same source, same key) always gets the same id; a digest keeps it short.
    static func feedbackId(_ key: String, _ source: String) -> String {
        "fb:" + Hex.string(SHA256.hash(data: Data("\(source)\n\(key)".utf8)).prefix(12))
    }

    /// The source's name as a feedback channel (`^[a-z][a-z0-9_-]{0,62}$`).
    static func channel(_ name: String) -> String {
        let cleaned = String(name.map { $0 == "." ? "-" : $0 })
        return cleaned.first?.isLetter == true ? cleaned : "survey-\(cleaned)".prefix(63).description
    }
}
