/// A command's body as its spec describes it: what `docs/events.md`'s field tables and the OpenAPI
/// document's request schemas are checked against.
public struct CommandSchema: Sendable {
    public let name: String
    /// Its own fields, in the order they are checked; every command also takes `FieldSpec.common`, after these.
    public let fields: [FieldSpec]
}

extension Command {
    /// Every command's schema, in catalogue order.
    public static let schemas: [CommandSchema] = payloadTypes.map { $0.schema }
}

extension CommandPayload {
    static var schema: CommandSchema { CommandSchema(name: spec.name, fields: spec.fields) }
}
