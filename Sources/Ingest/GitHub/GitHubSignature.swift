public import Foundation

/// `X-Hub-Signature-256: sha256=<hex>`. The SHA-1 `X-Hub-Signature` alone is refused: GitHub
/// sends both, and SHA-1 is no longer a safe MAC to rely on.
public enum GitHubSignature {
    static let header = "X-Hub-Signature-256"

    static func verify(headers: [String: String], body: Data, secret: String) throws(IngestError) {
        if headers["x-hub-signature-256"] == nil, headers["x-hub-signature"] != nil {
            throw IngestError(.unauthenticated, "the delivery has no X-Hub-Signature-256 header (X-Hub-Signature, SHA-1, is not accepted)", field: header)
        }
        try SharedSecret.verifyHMAC(header, headers, body: body, secret: secret)
    }

    /// The header GitHub would send for `body` (for tests and the benchmark).
    public static func sign(_ body: Data, secret: String) -> String { SharedSecret.sign(body, secret: secret) }
}
