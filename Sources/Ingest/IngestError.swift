/// A refused ingest request or source operation, with a stable code and its HTTP status.
public struct IngestError: Error, Sendable, Equatable, Codable {
    public enum Code: String, Sendable, Codable {
        case sourceNotFound = "source_not_found"
        case sourceNameTaken = "source_name_taken"
        case invalidSource = "invalid_source"
        case unauthenticated
        case invalidBody = "invalid_body"
        case bodyTooLarge = "body_too_large"
        case deliveryNotFound = "delivery_not_found"
        case deliveryInProgress = "delivery_in_progress"
        case secretsKeyMissing = "secrets_key_missing"
        case secretsKeyInvalid = "secrets_key_invalid"
        case internalError = "internal_error"

        public var status: Int {
            switch self {
            case .sourceNotFound, .deliveryNotFound: 404
            case .sourceNameTaken, .deliveryInProgress: 409
            case .invalidSource: 422
            case .unauthenticated: 401
            case .invalidBody: 400
            case .bodyTooLarge: 413
            case .secretsKeyMissing, .secretsKeyInvalid, .internalError: 500
            }
        }
    }

    public var code: Code
    public var message: String
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }
}
