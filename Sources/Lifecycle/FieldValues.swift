/// The values of one command's fields, in the order of its spec: what `CommandSpec` reads, checks and builds
/// the command struct from.
///
/// Looked up by key with a scan rather than a dictionary: a command has at most a dozen fields, and their
/// keys are short strings that compare in a step, where hashing each key was most of a command's decoding.
struct FieldValues {
    /// The spec's keys, in order.
    let keys: [String]
    var values: [FieldValue?]

    init(keys: [String]) {
        self.keys = keys
        self.values = Array(repeating: nil, count: keys.count)
    }

    func index(of key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    subscript(key: String) -> FieldValue? {
        index(of: key).flatMap { values[$0] }
    }

    /// The fields that have a value, by key.
    var commandFields: CommandFields {
        var result = CommandFields()
        for (key, value) in zip(keys, values) { result[key] = value }
        return result
    }
}
