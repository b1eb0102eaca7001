/// A failure reported by PostgreSQL, by libpq, or by the connection pool.
///
/// Server errors carry the SQLSTATE (`code`) and the fields PostgreSQL sends with it; the
/// `kind` says where the failure came from, so callers can tell a lost connection (retry on
/// a new one) from a statement the server refused (do not retry).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// Where a failure came from.
    public enum Kind: String, Sendable {
        /// The server executed the statement and refused it; `code` holds the SQLSTATE.
        case server
        /// The connection could not be opened, or broke while in use.
        case connection
        /// No pooled connection became free within the acquire timeout.
        case acquireTimeout
        /// The client is shut down.
        case closed
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// libpq or the server did something this client does not expect.
        case protocolViolation
        /// Not run: an earlier statement of the same pipelined transaction failed.
        case skipped
    }

    public var kind: Kind
    /// The SQLSTATE, when the server sent one.
    public var code: Code?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, code: Code? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True when the connection is unusable and the work may succeed on a new one.
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let code else { return false }
        return code.errorClass == "08" || code == .adminShutdown || code == .crashShutdown
            || code == .cannotConnectNow
    }

    public var description: String {
        var text = message
        if let code { text += " (SQLSTATE \(code.rawValue))" }
        if let detail, !detail.isEmpty { text += "; detail: \(detail)" }
        if let hint, !hint.isEmpty { text += "; hint: \(hint)" }
        return text
    }

    static func connection(_ message: String) -> PostgresError {
        PostgresError(kind: .connection, message: message)
    }

    static func decoding(_ message: String) -> PostgresError {
        PostgresError(kind: .decoding, message: message)
    }

    static func protocolViolation(_ message: String) -> PostgresError {
        PostgresError(kind: .protocolViolation, message: message)
    }
}
