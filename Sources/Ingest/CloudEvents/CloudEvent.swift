import Foundation
import JSON

/// One CloudEvents 1.0 event, from any of the HTTP binding's modes: structured (the event is
/// the JSON object), batched (an array of those) or binary (`ce-*` headers, the body is `data`).
struct CloudEvent: Sendable {
    static let specVersion = "1.0"

    var id: String
    var source: String
    var type: String
    var subject: String?
    var time: String?
    var data: JSONValue
    /// Every attribute as the structured form writes it, extensions included.
    var attributes: [String: JSONValue]

    /// The structured form, checked as the spec says: `specversion` 1.0, and `id`, `source`,
    /// `type` non-empty strings.
    init(structured value: JSONValue) throws(IngestError) {
        guard case .object(let members) = value else {
            throw IngestError(.invalidBody, "a CloudEvent is a JSON object, not \(value.summary)")
        }
        guard members["specversion"]?.string == Self.specVersion else {
            throw IngestError(.invalidBody, "specversion must be \"1.0\", not \(members["specversion"]?.summary ?? "missing")", field: "specversion")
        }
        func required(_ name: String) throws(IngestError) -> String {
            guard let text = members[name]?.text else {
                throw IngestError(.invalidBody, "the required attribute \(name) is missing or not a non-empty string", field: name)
            }
            return text
        }
        id = try required("id")
        source = try required("source")
        type = try required("type")
        subject = members["subject"]?.text
        time = members["time"]?.text
        if let time, ISO8601Timestamp.parse(time) == nil {
            throw IngestError(.invalidBody, "time must be an RFC 3339 timestamp, not \"\(time)\"", field: "time")
        }
        data = members["data"] ?? .null
        attributes = members
    }

    /// The binary form: attributes from `ce-*` headers, the body as `data` (JSON bodies only).
    static func structured(headers: [String: String], body: JSONValue) -> JSONValue {
        var members: [String: JSONValue] = ["data": body]
        for (name, value) in headers where name.hasPrefix("ce-") {
            members[String(name.dropFirst(3))] = .string(Self.percentDecoded(value))
        }
        if let type = headers["content-type"] { members["datacontenttype"] = .string(type) }
        return .object(members)
    }

    /// Header values are percent-encoded where they hold what a header cannot (the binding, 3.1.3.2).
    static func percentDecoded(_ text: String) -> String { text.removingPercentEncoding ?? text }

    /// An extension attribute as text.
    func extensionText(_ name: String) -> String? {
        switch attributes[name] {
        case .string(let text)?: text
        case .integer(let number)?: String(number)
        default: nil
        }
    }
}
