import Foundation
import Lifecycle
import Testing

/// docs/events.md's field tables are the command specs, row for row, so the docs cannot drift from the code.
///
/// After changing a command's fields, rewrite the tables with
/// `LOOPLINE_WRITE_DOCS=1 swift test --filter FieldTableTests`.
@Suite(.serialized) struct FieldTableTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/events.md")

    /// Each table: the line it follows, and the fields it lists.
    static let tables: [(heading: String, fields: [FieldSpec])] =
        [("Every command also takes the common fields:", FieldSpec.common)]
        + Command.schemas.map { ("#### `\($0.name)`", $0.fields) }

    @Test func everyCommandHasASectionInCatalogueOrder() throws {
        let sections = try Self.lines().compactMap { line -> String? in
            guard line.hasPrefix("#### `"), line.hasSuffix("`") else { return nil }
            return String(line.dropFirst("#### `".count).dropLast())
        }
        #expect(sections == Command.names)
    }

    @Test func everyTableIsItsSpec() throws {
        if ProcessInfo.processInfo.environment["LOOPLINE_WRITE_DOCS"] == "1" { try Self.rewrite() }
        let lines = try Self.lines()
        for (heading, fields) in Self.tables {
            let rows = try #require(Self.rows(after: heading, in: lines), "no field table after \(heading)")
            #expect(lines[rows].map(Self.cells) == fields.map(Self.cells), "the field table after \(heading)")
        }
    }

    /// A row's cells as the docs write them: key, type, whether it is required, and the rule.
    static func cells(_ field: FieldSpec) -> [String] {
        ["`\(field.key)`", field.typeName, field.presence.documentation, field.rule]
    }

    static func cells(_ line: String) -> [String] {
        line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The lines of the body rows of the first table after a line, before the next heading.
    static func rows(after heading: String, in lines: [String]) -> Range<Int>? {
        guard let start = lines.firstIndex(of: heading) else { return nil }
        let section = lines[(start + 1)...].prefix { !$0.hasPrefix("#") }
        guard let table = section.firstIndex(where: { $0.hasPrefix("|") }) else { return nil }
        let end = lines[table...].firstIndex { !$0.hasPrefix("|") } ?? lines.endIndex
        return (table + 2)..<end
    }

    static func lines() throws -> [String] {
        try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\n")
    }

    /// Replaces the body rows of every table with its spec's.
    static func rewrite() throws {
        var lines = try lines()
        for (heading, fields) in tables {
            guard let rows = rows(after: heading, in: lines) else { continue }
            lines.replaceSubrange(
                rows,
                with: fields.map { "|" + cells($0).map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|" })
        }
        try lines.joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
    }
}
