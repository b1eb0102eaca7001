import Crypto
import Foundation

/// Secrets a request presents, checked without leaking where they differ.
enum SharedSecret {
    /// Digests of both compared byte by byte without an early exit: equal length, constant time.
    static func matches(_ presented: String, _ secret: String) -> Bool {
        let left = SHA256.hash(data: Data(presented.utf8))
        let right = SHA256.hash(data: Data(secret.utf8))
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `Authorization: Bearer <secret>` (Alertmanager's `http_config.authorization`, CloudEvents).
    static func verifyBearer(_ headers: [String: String], secret: String) throws(IngestError) {
        guard let header = headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw IngestError(.unauthenticated, "send the source's secret (or an ingest token) as Authorization: Bearer", field: "Authorization")
        }
        guard matches(header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces), secret) else {
            throw IngestError(.unauthenticated, "the bearer secret does not match the source's", field: "Authorization")
        }
    }

    /// A header holding the secret as it is (GitLab's `X-Gitlab-Token`).
    static func verifyHeader(_ name: String, _ headers: [String: String], secret: String) throws(IngestError) {
        guard let presented = headers[name.lowercased()] else {
            throw IngestError(.unauthenticated, "the delivery has no \(name) header; set the webhook's secret token to the source's secret", field: name)
        }
        guard matches(presented, secret) else {
            throw IngestError(.unauthenticated, "the \(name) header does not match the source's secret", field: name)
        }
    }

    /// `sha256=<hex>`: HMAC-SHA256 of the raw body under the secret (GitHub's
    /// `X-Hub-Signature-256`, Jira's `X-Hub-Signature`), checked in constant time.
    static func verifyHMAC(_ name: String, _ headers: [String: String], body: Data, secret: String) throws(IngestError) {
        guard let header = headers[name.lowercased()] else {
            throw IngestError(.unauthenticated, "the delivery has no \(name) header", field: name)
        }
        guard header.hasPrefix("sha256="), let mac = Hex.bytes(header.dropFirst("sha256=".count)),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
        else {
            throw IngestError(.unauthenticated, "the \(name) signature does not match the source's secret", field: name)
        }
    }

    /// The header value `verifyHMAC` accepts for `body` (for tests and the benchmark).
    static func sign(_ body: Data, secret: String) -> String {
        "sha256=" + Hex.string(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
    }
}
