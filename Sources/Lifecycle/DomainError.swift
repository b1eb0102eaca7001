/// A refusal with a stable, snake_case code clients match on.
///
/// `docs/events.md` lists every code. Codes never change meaning; messages may be reworded.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable code, e.g. `build_failed` or `invalid_field`.
    public var code: String
    /// Human readable: what is wrong and what to do.
    public var message: String
    /// The JSON path of the offending input field (`rating`, `storyIds[2]`, `occurredAt`), if one is to blame.
    public var field: String?

    public init(code: String, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        if let field { "\(code) (\(field)): \(message)" } else { "\(code): \(message)" }
    }
}

extension DomainError {
    /// The codes of refusals that are wrong whatever the streams hold (a bad request, the clock, the policy),
    /// as opposed to conflicts with the current state (`story_exists`, `build_failed`, …).
    public static let requestCodes: Set<String> = [
        "unknown_command", "invalid_body", "missing_field", "invalid_field", "priority_out_of_range",
        "severity_out_of_range", "rating_out_of_range", "negative_count", "occurred_in_future", "unknown_environment",
    ]

    /// True for a refusal that is wrong whatever the streams hold: see `requestCodes`.
    public var isRequestError: Bool { Self.requestCodes.contains(code) }

    /// A field of the wrong type, format or length.
    static func invalidField(_ field: String, _ message: String) -> DomainError {
        DomainError(code: "invalid_field", message: message, field: field)
    }

    /// A required field that is absent or null.
    static func missingField(_ field: String) -> DomainError {
        DomainError(code: "missing_field", message: "\(field) is required", field: field)
    }
}
