public import Foundation
import Crypto

/// Seals webhook secrets for storage. A secret must be readable to check an HMAC, so it cannot
/// be a one-way hash like an API token; it is stored encrypted (AES-256-GCM) under a key that
/// lives outside the database, in a file only the service reads. A database dump, a replica
/// or an analytics reader sees ciphertext.
public struct SecretSealer: Sendable {
    /// The first 8 bytes of the key's SHA-256, hex: stored with each sealed secret, so a wrong
    /// key file is named as such instead of failing as a bad signature.
    public let keyId: String
    /// Kept as bytes: `SymmetricKey` is not `Sendable`.
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(keyBytes: Data) throws(IngestError) {
        guard keyBytes.count == 32 else {
            throw IngestError(.secretsKeyInvalid, "the secrets key must be 32 bytes (base64 in the key file), not \(keyBytes.count)")
        }
        self.keyBytes = keyBytes
        keyId = Hex.string(SHA256.hash(data: keyBytes).prefix(8))
    }

    /// Reads the key file (base64 of 32 bytes), creating it with a new random key, readable by
    /// its owner only, when `create` is set and it does not exist.
    public static func load(from path: String, create: Bool) throws(IngestError) -> SecretSealer {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard create else {
                throw IngestError(.secretsKeyMissing, "the secrets key file \(path) does not exist; create a source first or set LOOPLINE_SECRETS_KEY_FILE")
            }
            try write(newKey: SymmetricKey(size: .bits256), to: path)
        }
        guard let attributes = try? manager.attributesOfItem(atPath: path),
            let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { throw IngestError(.secretsKeyInvalid, "cannot read the secrets key file \(path)") }
        guard permissions & 0o077 == 0 else {
            throw IngestError(.secretsKeyInvalid, "the secrets key file \(path) is readable by others (mode \(String(permissions, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw IngestError(.secretsKeyInvalid, "the secrets key file \(path) does not hold base64") }
        return try SecretSealer(keyBytes: bytes)
    }

    private static func write(newKey: SymmetricKey, to path: String) throws(IngestError) {
        let text = newKey.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw IngestError(.secretsKeyInvalid, "cannot create the secrets key file \(path): \(error.localizedDescription)")
        }
    }

    public func seal(_ secret: String) throws(IngestError) -> Data {
        do {
            return try AES.GCM.seal(Data(secret.utf8), using: key).combined!
        } catch {
            throw IngestError(.internalError, "could not seal a secret")
        }
    }

    public func open(_ sealed: Data, keyId sealedWith: String) throws(IngestError) -> String {
        guard sealedWith == keyId else {
            throw IngestError(.secretsKeyInvalid, "the source's secret was sealed with key \(sealedWith), not this key file's \(keyId)")
        }
        guard let box = try? AES.GCM.SealedBox(combined: sealed), let plain = try? AES.GCM.open(box, using: key),
            let text = String(data: plain, encoding: .utf8)
        else { throw IngestError(.secretsKeyInvalid, "a source's secret does not open with this key") }
        return text
    }
}
