/// A command declared once, in its file: its name, its case of `Command`, the streams it touches and its
/// fields. Decoding (from a JSON body or a field dictionary), the per-field rules, the docs' field tables and
/// the OpenAPI schemas' checks all come from it.
struct CommandSpec<Payload: CommandPayload>: Sendable {
    let name: String
    /// The command's own fields, in the order they are read and checked; `FieldSpec.common` follow them.
    let fields: [FieldSpec]
    let wrap: @Sendable (Payload) -> Command
    let stream: @Sendable (Payload) -> String
    let related: @Sendable (Payload) -> [String]
    private let allFields: [FieldSpec]

    init(
        _ name: String, _ wrap: @escaping @Sendable (Payload) -> Command,
        stream: @escaping @Sendable (Payload) -> String,
        related: @escaping @Sendable (Payload) -> [String] = { _ in [] }, fields: [FieldSpec]
    ) {
        self.name = name
        self.wrap = wrap
        self.stream = stream
        self.related = related
        self.fields = fields
        self.allFields = fields + FieldSpec.common
    }

    /// Reads every field's type first, then checks every field's rule, each in field order: the first
    /// problem found is the one reported, so a missing or mistyped field outranks a badly formed one.
    func decode(_ source: some FieldSource) throws(DomainError) -> Payload {
        var values = CommandFields()
        for field in allFields { values[field.key] = try field.read(from: source) }
        for field in allFields {
            if let value = values[field.key] { values[field.key] = try field.check(value, values) }
        }
        return FieldsDecoder.decode(Payload.self, values)
    }

    /// A command built in Swift, put through the same reading and rules as one decoded from JSON.
    func validated(_ payload: Payload) throws(DomainError) -> Payload {
        try decode(FieldsEncoder.encode(payload))
    }
}
