/// The Loopline domain: the event catalogue of the seven stages, commands, and deciders.
/// Pure: no I/O, and no import of any other Loopline module.
public enum Lifecycle {
    /// Story keys such as `PROJ-123` mentioned in a commit message, deduplicated and sorted.
    ///
    /// Matches `\b[A-Z][A-Z0-9]+-[0-9]+\b`, where a word character is a letter, a digit or `_`, so
    /// `PROJ-123: fix login (also OPS-7)` gives `["OPS-7", "PROJ-123"]` and `xPROJ-1` gives nothing.
    /// Keys longer than an entity id may be (128 characters) are skipped: they could not name a story.
    public static func storyIds(inCommitMessage message: String) -> [String] {
        let scalars = Array(message.unicodeScalars)
        var keys = Set<String>()
        var index = 0
        while index < scalars.count {
            if let end = storyKeyEnd(in: scalars, from: index) {
                if end - index <= 128 { keys.insert(String(String.UnicodeScalarView(scalars[index..<end]))) }
                index = end
            } else {
                index += 1
            }
        }
        return keys.sorted()
    }

    /// The end of a story key starting exactly at `start`, or nil: a hand-written matcher rather than a
    /// `Regex`, whose default word boundaries follow Unicode text segmentation instead of `\w`.
    private static func storyKeyEnd(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard isUpper(scalars[start]), start == 0 || !isWord(scalars[start - 1]) else { return nil }
        var index = start + 1
        while index < scalars.count, isUpper(scalars[index]) || isDigit(scalars[index]) { index += 1 }
        guard index > start + 1, index < scalars.count, scalars[index] == "-" else { return nil }
        index += 1
        let digitsStart = index
        while index < scalars.count, isDigit(scalars[index]) { index += 1 }
        guard index > digitsStart, index == scalars.count || !isWord(scalars[index]) else { return nil }
        return index
    }

    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
