/// A stream id of the form `category-id`, such as `story-PROJ-12` or `build-4711`.
public struct StreamName: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 256

    public let rawValue: String

    /// Validates a stream id: a category (a letter, then letters, digits or `_`), a `-`,
    /// and a non-empty id without whitespace or control characters.
    public init(_ rawValue: String) throws(EventStoreError) {
        guard let dash = rawValue.firstIndex(of: "-") else {
            throw EventStoreError(
                .invalidStream, "stream id \(Self.quoted(rawValue)) must look like category-id, e.g. story-PROJ-12",
                field: "stream")
        }
        guard Self.isCategory(rawValue[..<dash]) else {
            throw EventStoreError(
                .invalidStream,
                "stream category \(Self.quoted(String(rawValue[..<dash]))) must start with a letter and hold only letters, digits and _",
                field: "stream")
        }
        let id = rawValue[rawValue.index(after: dash)...]
        guard !id.isEmpty, rawValue.utf8.count <= Self.maximumLength, id.unicodeScalars.allSatisfy(Self.isIdScalar) else {
            throw EventStoreError(
                .invalidStream,
                "stream id \(Self.quoted(rawValue)) needs a non-empty id after the category, without spaces or control characters, at most \(Self.maximumLength) bytes",
                field: "stream")
        }
        self.rawValue = rawValue
    }

    /// The part before the first `-`.
    public var category: String { String(rawValue[..<rawValue.firstIndex(of: "-")!]) }

    public var description: String { rawValue }

    /// True for a valid category name (`story`, `build`, `deployment`).
    public static func isCategory(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetter, text.utf8.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// Printable, no whitespace; checks ASCII without Unicode property lookups.
    private static func isIdScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value > 0x20 && scalar.value != 0x7F }
        return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
    }

    static func quoted(_ text: String) -> String {
        "\"\(text.count > 80 ? text.prefix(80) + "…" : text)\""
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
