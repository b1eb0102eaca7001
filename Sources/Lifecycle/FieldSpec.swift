/// One field of a command, described once: how it is read, the rule it follows, and how the docs' field
/// tables and the OpenAPI schemas state it.
///
/// The kinds (`FieldSpec+Kinds`) make them; each command's file lists its own fields, and `common` holds
/// the fields every command takes. The key is also the name of the command struct's property. A class, so
/// that running through a command's fields, once per command handled, copies no strings.
public final class FieldSpec: Sendable {
    public let key: String
    public let presence: Presence
    /// The type as the docs' field tables name it: `id`, `SHA`, `string`, `integer`, `array of ids`, …
    public let typeName: String
    /// The rule, and what the field is for, as the docs' field tables state them; empty when there is neither.
    public let rule: String
    /// The checks an OpenAPI (JSON Schema) description of the field carries.
    public let schema: FieldSchema
    let type: FieldType
    /// Throws the rule a value breaks; returns nil for a value that keeps it, or the value normalised when the
    /// rule rewrites it (SHAs lowercase). The other fields are there for a rule that depends on one
    /// (`failingTests` on `failed`).
    let check: @Sendable (FieldValue, FieldValues) throws(DomainError) -> FieldValue?

    init(
        key: String, presence: Presence, typeName: String, rule: String, schema: FieldSchema, type: FieldType,
        check: @escaping @Sendable (FieldValue, FieldValues) throws(DomainError) -> FieldValue?
    ) {
        self.key = key
        self.presence = presence
        self.typeName = typeName
        self.rule = rule
        self.schema = schema
        self.type = type
        self.check = check
    }

    /// Reads the field with its type; a required one that is absent (or null) is `missing_field`.
    func read(from source: some FieldSource) throws(DomainError) -> FieldValue? {
        let value: FieldValue? =
            switch type {
            case .string: try source.optionalString(key).map(FieldValue.string)
            case .integer: try source.optionalInt(key).map(FieldValue.integer)
            case .number: try source.optionalNumber(key).map(FieldValue.number)
            case .date: try source.optionalDate(key).map(FieldValue.date)
            case .strings: try source.optionalStrings(key).map(FieldValue.strings)
            }
        if value == nil && presence.isRequired { throw .missingField(key) }
        return value
    }
}

/// Whether a command needs the field, and what an absent one means.
public struct Presence: Sendable, Equatable {
    public let isRequired: Bool
    /// What an absent field stands for, as the docs say it (`3`, `` `main` ``, `now`).
    public let defaultValue: String?

    public static let required = Presence(isRequired: true, defaultValue: nil)
    public static let optional = Presence(isRequired: false, defaultValue: nil)

    public static func optional(default value: String) -> Presence {
        Presence(isRequired: false, defaultValue: value)
    }

    /// The docs' wording: `required`, `optional`, `optional, default 3`.
    public var documentation: String {
        if isRequired { return "required" }
        return defaultValue.map { "optional, default \($0)" } ?? "optional"
    }
}

/// The JSON type a field is read as.
enum FieldType: Sendable {
    case string, integer, number, date, strings
}

/// The JSON Schema checks of one field, as the OpenAPI document states them; an optional field also
/// takes `null`.
public struct FieldSchema: Sendable, Equatable {
    /// `string`, `integer`, `number` or `array` (of strings).
    public var type: String
    public var format: String?
    public var pattern: String?
    public var minLength: Int?
    public var minimum: Int?
    public var maximum: Int?
    /// The most elements an array holds.
    public var maxItems: Int?
    /// The pattern every element of an array matches, if any.
    public var itemPattern: String?

    init(
        _ type: String, format: String? = nil, pattern: String? = nil, minLength: Int? = nil, minimum: Int? = nil,
        maximum: Int? = nil, maxItems: Int? = nil, itemPattern: String? = nil
    ) {
        self.type = type
        self.format = format
        self.pattern = pattern
        self.minLength = minLength
        self.minimum = minimum
        self.maximum = maximum
        self.maxItems = maxItems
        self.itemPattern = itemPattern
    }
}
