/// Why a document is not acceptable JSON, and where: "expected ':' at byte 12".
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    /// The byte offset the scanner had reached.
    public let offset: Int
    /// For a number the grammar allows but a double cannot hold (`1e400`, `1e-400`): the path of
    /// the value, as `durationSeconds` or `items[2].size` (empty for a bare number). A reader of
    /// fields reports it as that field's error, not as broken JSON. Nil for every other error.
    public private(set) var valuePath: String?

    init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// A number that would not come back as itself: infinite, or zero when it is not.
    static func outOfRange(_ text: String, _ why: String, at offset: Int) -> JSONSyntaxError {
        var error = JSONSyntaxError("the number \(text.prefix(40)) \(why)", at: offset)
        error.valuePath = ""
        return error
    }

    /// The error as seen from the object holding it as the value of `key`.
    func inMember(_ key: String) -> JSONSyntaxError {
        guard let path = valuePath else { return self }
        var error = self
        error.valuePath = path.isEmpty || path.hasPrefix("[") ? key + path : key + "." + path
        return error
    }

    /// The error as seen from the array holding it at `index`.
    func inElement(_ index: Int) -> JSONSyntaxError {
        guard let path = valuePath else { return self }
        var error = self
        error.valuePath = "[\(index)]" + (path.isEmpty || path.hasPrefix("[") ? path : "." + path)
        return error
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
