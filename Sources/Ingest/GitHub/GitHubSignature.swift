import Crypto
public import Foundation

/// `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body under the webhook
/// secret, compared in constant time. The SHA-1 `X-Hub-Signature` alone is refused: GitHub
/// sends both, and SHA-1 is no longer a safe MAC to rely on.
public enum GitHubSignature {
    static func verify(headers: [String: String], body: Data, secret: String) throws(IngestError) {
        guard let header = headers["x-hub-signature-256"] else {
            let sha1 = headers["x-hub-signature"] != nil ? " (X-Hub-Signature, SHA-1, is not accepted)" : ""
            throw IngestError(.unauthenticated, "the delivery has no X-Hub-Signature-256 header\(sha1)", field: "X-Hub-Signature-256")
        }
        guard header.hasPrefix("sha256="), let mac = Hex.bytes(header.dropFirst("sha256=".count)),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
        else {
            throw IngestError(.unauthenticated, "the X-Hub-Signature-256 signature does not match the source's secret", field: "X-Hub-Signature-256")
        }
    }

    /// The header GitHub would send for `body` (for tests and the benchmark).
    public static func sign(_ body: Data, secret: String) -> String {
        "sha256=" + Hex.string(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
    }
}
