/// A command's own fields and the common ones after them, read and checked in that order.
///
/// Not generic: `Command.decode` reaches a command's spec through its type at run time, and generic code
/// entered that way runs unspecialised; this keeps the loops that every command runs compiled once, for the
/// two kinds of source.
struct FieldList: Sendable {
    let fields: [FieldSpec]
    let keys: [String]

    init(_ fields: [FieldSpec]) {
        self.fields = fields
        self.keys = fields.map(\.key)
    }

    /// Reads every field's type first, then checks every field's rule, each in field order: the first
    /// problem found is the one reported, so a missing or mistyped field outranks a badly formed one.
    func values(from body: JSONFields) throws(DomainError) -> FieldValues {
        try checked(read(body))
    }

    func values(from fields: CommandFields) throws(DomainError) -> FieldValues {
        try checked(read(fields))
    }

    private func read(_ source: some FieldSource) throws(DomainError) -> FieldValues {
        var values = FieldValues(keys: keys)
        for index in fields.indices { values.values[index] = try fields[index].read(from: source) }
        return values
    }

    private func checked(_ values: FieldValues) throws(DomainError) -> FieldValues {
        var values = values
        _ = try check(&values)
        return values
    }

    /// Runs every field's rule, in order; true when one normalised its value.
    func check(_ values: inout FieldValues) throws(DomainError) -> Bool {
        var changed = false
        for index in fields.indices {
            guard let value = values.values[index], let normalized = try fields[index].check(value, values) else {
                continue
            }
            values.values[index] = normalized
            changed = true
        }
        return changed
    }
}
