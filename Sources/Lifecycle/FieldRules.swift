/// The per-field format rules that need no state: patterns, lengths and ranges.
///
/// The kinds of `FieldSpec` run them, so a command is checked the same way whether it was decoded
/// from JSON, built from a field dictionary or built in Swift.
enum FieldRules {
    static func entityId(_ value: String, _ field: String) throws(DomainError) {
        try pattern(value, .entityId, field, example: "PROJ-12")
    }

    /// Every element of an id list, reported by its path (`storyIds[2]`).
    static func entityIds(_ values: [String]?, _ field: String) throws(DomainError) {
        for (index, value) in (values ?? []).enumerated() { try entityId(value, "\(field)[\(index)]") }
    }

    /// A list's length: at most `maximum` elements.
    static func count(_ values: [String], _ field: String, maximum: Int) throws(DomainError) {
        guard values.count > maximum else { return }
        throw .invalidField(field, "\(field) may hold at most \(maximum) elements, not \(values.count)")
    }

    /// A commit SHA, returned lowercase: the same commit must get the same stream whoever reports it.
    static func sha(_ value: String, _ field: String) throws(DomainError) -> String {
        guard TokenPattern.sha.matches(value) else {
            throw .invalidField(
                field, "\(field) must be a commit SHA of 7 to 40 hexadecimal characters, not \(quoted(value))")
        }
        return value.lowercased()
    }

    static func pattern(_ value: String, _ pattern: TokenPattern, _ field: String, example: String)
        throws(DomainError)
    {
        guard pattern.matches(value) else {
            throw .invalidField(
                field, "\(field) must match \(pattern.expression), e.g. \(example); got \(quoted(value))")
        }
    }

    /// A text's length in characters (grapheme clusters, what people count).
    static func length(_ value: String?, _ field: String, _ lengths: ClosedRange<Int>) throws(DomainError) {
        guard let value, !lengths.contains(value.count) else { return }
        let limit =
            lengths.lowerBound == 0 ? "at most \(lengths.upperBound)" : "\(lengths.lowerBound) to \(lengths.upperBound)"
        throw .invalidField(field, "\(field) must be \(limit) characters long, not \(value.count)")
    }

    /// An integer in a range, with the catalogue's own code for it (`priority_out_of_range`).
    static func range(_ value: Int?, _ field: String, _ range: ClosedRange<Int>, code: String, meaning: String = "")
        throws(DomainError)
    {
        guard let value, !range.contains(value) else { return }
        throw DomainError(
            code: code, message: "\(field) must be \(range.lowerBound) to \(range.upperBound)\(meaning), not \(value)",
            field: field)
    }

    /// A count of tests: `negative_count` below zero.
    static let maximumCount = 100_000_000

    static func count(_ value: Int, _ field: String) throws(DomainError) {
        if value < 0 { throw DomainError(code: "negative_count", message: "\(field) must be 0 or more, not \(value)", field: field) }
        guard value > maximumCount else { return }
        throw .invalidField(field, "\(field) must be at most 100,000,000, not \(value)")
    }

    /// A duration in seconds: finite and not negative.
    static func duration(_ value: Double?, _ field: String = "durationSeconds") throws(DomainError) {
        guard let value, !(value.isFinite && value >= 0) else { return }
        throw .invalidField(field, "\(field) must be a number of seconds, 0 or more, not \(value)")
    }

    /// A measurement: any finite number.
    static func finite(_ value: Double, _ field: String) throws(DomainError) {
        guard !value.isFinite else { return }
        throw .invalidField(field, "\(field) must be a finite number, not \(value)")
    }

    /// A value for a message, cut short: the input may be long, and the message should stay readable.
    static func quoted(_ value: String) -> String {
        "\"\(value.count > 80 ? value.prefix(80) + "…" : value)\""
    }
}
