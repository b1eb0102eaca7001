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
    private let list: FieldList

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
        self.list = FieldList(fields + FieldSpec.common)
    }

    func decode(_ body: JSONFields) throws(DomainError) -> Payload {
        FieldsDecoder.decode(Payload.self, try list.values(from: body))
    }

    func decode(_ fields: CommandFields) throws(DomainError) -> Payload {
        FieldsDecoder.decode(Payload.self, try list.values(from: fields))
    }

    /// A command built in Swift, put through the same rules as one decoded. Its fields need no reading: the
    /// struct's types are the spec's (`CommandSpecTests`), so none is mistyped or, if required, missing.
    func validated(_ payload: Payload) throws(DomainError) -> Payload {
        var values = FieldsEncoder.encode(payload, list.keys)
        return try list.check(&values) ? FieldsDecoder.decode(Payload.self, values) : payload
    }

    func fields(of payload: Payload) -> CommandFields {
        FieldsEncoder.encode(payload, list.keys).commandFields
    }
}
