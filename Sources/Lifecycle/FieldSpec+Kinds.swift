/// The kinds of field a command may have. Each kind ties a JSON type to a rule of `FieldRules` and says both
/// in the docs' words and as JSON Schema checks, so a command's file only names its fields.
extension FieldSpec {
    /// The fields every command takes, after its own.
    public static let common: [FieldSpec] = [
        .pattern("service", .name, example: "checkout-api"),
        .pattern("team", .name, example: "payments", .optional),
        .date(
            "occurredAt", .optional(default: "now"),
            "not more than `maximumClockSkew` after now → `occurred_in_future`"),
    ]

    /// An entity id (`PROJ-12`, `4711`): the id part of a stream id.
    static func id(_ key: String, _ presence: Presence = .required, _ note: String = "") -> FieldSpec {
        let schema = FieldSchema("string", pattern: TokenPattern.entityId.expression)
        return stringField(key, presence, "id", note: note, schema) { value throws(DomainError) in
            try FieldRules.entityId(value, key)
        }
    }

    /// A list of at most `maximum` entity ids; a bad element is reported by its path (`storyIds[2]`).
    static func ids(_ key: String, maximum: Int, _ presence: Presence = .optional, _ note: String = "") -> FieldSpec {
        listField(
            key, presence, "array of ids", maximum: maximum, rule: "each an id; `\(key)[i]` names a bad one", note: note,
            FieldSchema("array", maxItems: maximum, itemPattern: TokenPattern.entityId.expression)
        ) { values, _ throws(DomainError) in
            try FieldRules.entityIds(values, key)
        }
    }

    /// A commit SHA, stored lowercase.
    static func sha(_ key: String, _ presence: Presence = .required, _ note: String = "") -> FieldSpec {
        let schema = FieldSchema("string", pattern: TokenPattern.sha.expression)
        return normalizedStringField(key, presence, "SHA", note: note, schema) { value throws(DomainError) in
            try FieldRules.sha(value, key)
        }
    }

    /// Text of a length in characters: titles, versions, branches.
    ///
    /// The schema states no `maxLength`: JSON Schema counts code points where the rule counts what users see
    /// (grapheme clusters), so a text too long by its count may well be accepted.
    static func text(
        _ key: String, _ lengths: ClosedRange<Int>, _ presence: Presence = .required, _ note: String = ""
    ) -> FieldSpec {
        let rule =
            lengths.lowerBound == 0
            ? "at most \(grouped(lengths.upperBound)) characters"
            : "\(grouped(lengths.lowerBound))–\(grouped(lengths.upperBound)) characters"
        let schema = FieldSchema("string", minLength: lengths.lowerBound > 0 ? lengths.lowerBound : nil)
        return stringField(key, presence, "string", rule: rule, note: note, schema) { value throws(DomainError) in
            try FieldRules.length(value, key, lengths)
        }
    }

    /// Free text of at most 10,000 characters, optional: messages, reasons, resolutions, notes.
    static func prose(_ key: String) -> FieldSpec {
        text(key, 0...10_000, .optional)
    }

    /// A name of a fixed form: `service`, `metric`, `source`.
    static func pattern(
        _ key: String, _ pattern: TokenPattern, example: String, _ presence: Presence = .required
    ) -> FieldSpec {
        stringField(
            key, presence, "string", rule: "`\(pattern.expression)`, e.g. `\(example)`", note: "",
            FieldSchema("string", pattern: pattern.expression)
        ) { value throws(DomainError) in
            try FieldRules.pattern(value, pattern, key, example: example)
        }
    }

    /// An environment's name, any string here: `Decider` checks it against `Policy.environments`.
    static func environment(_ presence: Presence) -> FieldSpec {
        stringField(
            "environment", presence, "string", note: "one of `Policy.environments` → `unknown_environment`",
            FieldSchema("string")
        ) { _ in }
    }

    /// A list of at most `maximum` texts of 1 to `length` characters each, with a rule of its own that
    /// may look at the other fields.
    static func strings(
        _ key: String, maximum: Int, length: Int, _ presence: Presence, _ rule: String,
        check: @escaping @Sendable ([String], FieldValues) throws(DomainError) -> Void
    ) -> FieldSpec {
        listField(
            key, presence, "array of strings", maximum: maximum,
            rule: "each 1–\(grouped(length)) characters; \(rule)", note: "", FieldSchema("array", maxItems: maximum)
        ) { values, fields throws(DomainError) in
            for (index, value) in values.enumerated() { try FieldRules.length(value, "\(key)[\(index)]", 1...length) }
            try check(values, fields)
        }
    }

    /// An integer in a range, refused with the catalogue's own code (`priority_out_of_range`).
    static func integer(
        _ key: String, _ range: ClosedRange<Int>, code: String, meaning: String, _ presence: Presence = .required
    ) -> FieldSpec {
        integerField(
            key, presence, rule: "\(range.lowerBound) to \(range.upperBound)\(meaning) → `\(code)`",
            FieldSchema("integer", minimum: range.lowerBound, maximum: range.upperBound)
        ) { value throws(DomainError) in
            try FieldRules.range(value, key, range, code: code, meaning: meaning)
        }
    }

    /// A count of tests, required: `negative_count` below zero; at most `FieldRules.maximumCount`
    /// (the read models keep counts as 32-bit integers, sums included).
    static func count(_ key: String) -> FieldSpec {
        let schema = FieldSchema("integer", minimum: 0, maximum: FieldRules.maximumCount)
        return integerField(key, .required, rule: "0 or more → `negative_count`; at most 100,000,000", schema) { value throws(DomainError) in
            try FieldRules.count(value, key)
        }
    }

    /// A measurement: any finite number.
    static func number(_ key: String, _ presence: Presence = .required) -> FieldSpec {
        numberField(key, presence, rule: "finite", FieldSchema("number")) { value throws(DomainError) in
            try FieldRules.finite(value, key)
        }
    }

    /// A duration in seconds, optional.
    static func duration(_ key: String = "durationSeconds") -> FieldSpec {
        let schema = FieldSchema("number", minimum: 0)
        return numberField(key, .optional, rule: "0 or more seconds", schema) { value throws(DomainError) in
            try FieldRules.duration(value, key)
        }
    }

    /// An ISO 8601 date-time with a time zone; its form is checked as it is read.
    static func date(_ key: String, _ presence: Presence, _ note: String) -> FieldSpec {
        let schema = FieldSchema("string", format: "date-time")
        return field(key, .date, presence, "date", rule: "", note: note, schema) { _, _ in nil }
    }

    // MARK: - One builder per JSON type

    private static func stringField(
        _ key: String, _ presence: Presence, _ typeName: String, rule: String = "", note: String,
        _ schema: FieldSchema, check: @escaping @Sendable (String) throws(DomainError) -> Void
    ) -> FieldSpec {
        field(key, .string, presence, typeName, rule: rule, note: note, schema) { value, _ throws(DomainError) in
            guard case .string(let text) = value else { preconditionFailure("\(key) was read as a string") }
            try check(text)
            return nil
        }
    }

    /// A string whose rule may rewrite it (a SHA to lowercase).
    private static func normalizedStringField(
        _ key: String, _ presence: Presence, _ typeName: String, note: String, _ schema: FieldSchema,
        check: @escaping @Sendable (String) throws(DomainError) -> String
    ) -> FieldSpec {
        field(key, .string, presence, typeName, rule: "", note: note, schema) { value, _ throws(DomainError) in
            guard case .string(let text) = value else { preconditionFailure("\(key) was read as a string") }
            let normalized = try check(text)
            return normalized == text ? nil : .string(normalized)
        }
    }

    private static func integerField(
        _ key: String, _ presence: Presence, rule: String, _ schema: FieldSchema,
        check: @escaping @Sendable (Int) throws(DomainError) -> Void
    ) -> FieldSpec {
        field(key, .integer, presence, "integer", rule: rule, note: "", schema) { value, _ throws(DomainError) in
            guard case .integer(let number) = value else { preconditionFailure("\(key) was read as an integer") }
            try check(number)
            return nil
        }
    }

    private static func numberField(
        _ key: String, _ presence: Presence, rule: String, _ schema: FieldSchema,
        check: @escaping @Sendable (Double) throws(DomainError) -> Void
    ) -> FieldSpec {
        field(key, .number, presence, "number", rule: rule, note: "", schema) { value, _ throws(DomainError) in
            guard case .number(let number) = value else { preconditionFailure("\(key) was read as a number") }
            try check(number)
            return nil
        }
    }

    /// A list of at most `maximum` elements: the count is checked before any element is.
    private static func listField(
        _ key: String, _ presence: Presence, _ typeName: String, maximum: Int, rule: String, note: String,
        _ schema: FieldSchema, check: @escaping @Sendable ([String], FieldValues) throws(DomainError) -> Void
    ) -> FieldSpec {
        let rule = "at most \(grouped(maximum)), \(rule)"
        return field(key, .strings, presence, typeName, rule: rule, note: note, schema) { value, fields throws(DomainError) in
            guard case .strings(let list) = value else { preconditionFailure("\(key) was read as strings") }
            try FieldRules.count(list, key, maximum: maximum)
            try check(list, fields)
            return nil
        }
    }

    private static func field(
        _ key: String, _ type: FieldType, _ presence: Presence, _ typeName: String, rule: String, note: String,
        _ schema: FieldSchema,
        check: @escaping @Sendable (FieldValue, FieldValues) throws(DomainError) -> FieldValue?
    ) -> FieldSpec {
        FieldSpec(
            key: key, presence: presence, typeName: typeName,
            rule: [rule, note].filter { !$0.isEmpty }.joined(separator: "; "), schema: schema, type: type, check: check)
    }

    /// `10,000`, as the docs write numbers, without a locale.
    private static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        return digits.indices.map { index in
            (index > 0 && (digits.count - index) % 3 == 0 ? "," : "") + String(digits[index])
        }.joined()
    }
}
