import Crypto
import Foundation

/// How each kind authenticates a delivery and names it.
extension SourceKind {
    /// Checks the delivery's signature or token against the source's secret.
    func authenticate(headers: [String: String], body: Data, secret: String) throws(IngestError) {
        switch self {
        case .github: try GitHubSignature.verify(headers: headers, body: body, secret: secret)
        }
    }

    /// The tool's id for this delivery, the same when it redelivers; without one, a digest of
    /// the body, so that a resent identical body still writes once.
    func deliveryKey(headers: [String: String], body: Data) -> String {
        switch self {
        case .github:
            if let id = headers["x-github-delivery"], !id.isEmpty, id.utf8.count <= 200 { return id }
        }
        return "sha256:" + SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
    }

    /// The event's name, which decides the mapping.
    func eventName(headers: [String: String]) -> String {
        switch self {
        case .github: headers["x-github-event"] ?? ""
        }
    }
}
