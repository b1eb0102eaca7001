import EventStore
import Foundation

/// The objects the SQL files of `schema/` create, by name, read from the files' text: what a
/// database built by this build may hold.
struct SchemaDefinitions {
    /// An object a file creates: `kind` is `relation` (table, index, sequence, view,
    /// materialized view) or `function` (function or procedure), as the catalogue tells them apart.
    struct Object: Hashable, CustomStringConvertible {
        var kind: String
        var schema: String
        var name: String
        var description: String { "\(kind) \(schema).\(name)" }
    }

    private(set) var objects: Set<Object> = []
    /// Statements the parser cannot name an object for (an unnamed index): each a test failure,
    /// since the catalogue could not be checked against them.
    private(set) var unnamed: [String] = []

    /// `CREATE [OR REPLACE] [UNLOGGED|TEMP] [UNIQUE] <kind> [CONCURRENTLY] [IF NOT EXISTS] name`.
    private static func createPattern() throws -> Regex<AnyRegexOutput> {
        try Regex(
            #"(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:UNLOGGED|TEMP|TEMPORARY)\s+)?(?:UNIQUE\s+)?"#
                + #"(TABLE|INDEX|SEQUENCE|MATERIALIZED\s+VIEW|VIEW|FUNCTION|PROCEDURE)\s+"#
                + #"(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?("[^"]+"|\w+)(?:\.("[^"]+"|\w+))?"#)
    }

    /// Adds what `sql` creates; unqualified names go into `schemas` (every schema the file is
    /// run in), qualified ones where they say.
    mutating func add(_ sql: String, in schemas: [String]) throws {
        for match in Self.uncommented(sql).matches(of: try Self.createPattern()) {
            let keyword = match.output[1].substring.map { $0.uppercased() } ?? ""
            let kind = keyword == "FUNCTION" || keyword == "PROCEDURE" ? "function" : "relation"
            let first = Self.unquoted(match.output[2].substring ?? "")
            if keyword == "INDEX", first.uppercased() == "ON" {
                unnamed.append(String(match.output[0].substring ?? ""))
                continue
            }
            if let second = match.output[3].substring {
                objects.insert(Object(kind: kind, schema: first, name: Self.unquoted(second)))
            } else {
                for schema in schemas { objects.insert(Object(kind: kind, schema: schema, name: first)) }
            }
        }
    }

    func contains(_ object: Object) -> Bool { objects.contains(object) }

    /// The text without `--` comments, which may well mention CREATE TABLE.
    private static func uncommented(_ sql: String) -> String {
        sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { line[..<$0.lowerBound] } ?? line[...] }
            .joined(separator: "\n")
    }

    private static func unquoted(_ name: Substring) -> String {
        name.hasPrefix("\"") ? String(name.dropFirst().dropLast()) : name.lowercased()
    }
}
