/// A refused or failed command: a stable code, and the HTTP status that fits it.
public struct CommandError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// 400 malformed, 404 unknown command, 409 conflict with the current state, 422 invalid
    /// input, 500 internal, 503 database unavailable.
    public var status: Int
    public var code: String
    public var message: String
    public var field: String?

    public init(status: Int, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status) \(code): \(message)" }
}
