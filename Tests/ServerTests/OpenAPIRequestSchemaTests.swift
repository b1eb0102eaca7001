import Foundation
import Lifecycle
import LooplineTestSupport
import Testing

/// Each command's request schema in docs/openapi.yaml is the one its spec gives: the same fields, types,
/// required fields, patterns and bounds (`Command.schemas`, `FieldSpec.schema`).
///
/// After changing a command's fields, rewrite the schemas with
/// `LOOPLINE_WRITE_OPENAPI=1 swift test --filter OpenAPIRequestSchemaTests`.
@Suite("OpenAPI request schemas")
struct OpenAPIRequestSchemaTests {
    static let path = TestEnvironment.packageRoot.appendingPathComponent("docs/openapi.yaml")

    @Test("every command's request schema is its spec's")
    func requestSchemas() throws {
        if ProcessInfo.processInfo.environment["LOOPLINE_WRITE_OPENAPI"] == "1" { try Self.rewrite() }
        let lines = try Self.documentLines()
        for schema in Command.schemas {
            let range = try #require(Self.schemaLines(of: schema.name, in: lines), "no request schema: \(schema.name)")
            #expect(Array(lines[range]) == Self.render(schema), "the request schema of \(schema.name)")
        }
    }

    /// The document's lines from a command's request `schema:` up to its `example:`.
    static func schemaLines(of name: String, in lines: [String]) -> Range<Int>? {
        guard let path = lines.firstIndex(of: "  \"/v1/commands/\(name)\":"),
            let start = lines[path...].firstIndex(of: "            schema:"),
            let end = lines[start...].firstIndex(of: "            example:")
        else { return nil }
        return start..<end
    }

    /// The request schema as the document writes it: `service` first among the required fields, then the
    /// command's own fields in order, then the common ones.
    static func render(_ schema: CommandSchema) -> [String] {
        let fields = schema.fields + FieldSpec.common
        let required = ["service"] + schema.fields.filter(\.presence.isRequired).map(\.key)
        return ["            schema:", "              type: \"object\"", "              required:"]
            + required.map { "                - \(quoted($0))" }
            + ["              properties:"] + fields.flatMap(render)
    }

    static func render(_ field: FieldSpec) -> [String] {
        let schema = field.schema
        let indent = "                  "
        var lines = ["                \(field.key):"]
        lines +=
            field.presence.isRequired
            ? ["\(indent)type: \(quoted(schema.type))"]
            : ["\(indent)type:", "\(indent)  - \(quoted(schema.type))", "\(indent)  - \"null\""]
        if let format = schema.format { lines.append("\(indent)format: \(quoted(format))") }
        if let pattern = schema.pattern { lines.append("\(indent)pattern: \(quoted(pattern))") }
        if let minLength = schema.minLength { lines.append("\(indent)minLength: \(minLength)") }
        if let minimum = schema.minimum { lines.append("\(indent)minimum: \(minimum)") }
        if let maximum = schema.maximum { lines.append("\(indent)maximum: \(maximum)") }
        if let maxItems = schema.maxItems { lines.append("\(indent)maxItems: \(maxItems)") }
        if schema.type == "array" {
            lines += ["\(indent)items:", "\(indent)  type: \"string\""]
            if let pattern = schema.itemPattern { lines.append("\(indent)  pattern: \(quoted(pattern))") }
        }
        return lines
    }

    /// A YAML double-quoted scalar, as the document writes every string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func documentLines() throws -> [String] {
        try String(contentsOf: path, encoding: .utf8).components(separatedBy: "\n")
    }

    /// Replaces every command's request schema with its spec's.
    static func rewrite() throws {
        var lines = try documentLines()
        for schema in Command.schemas {
            if let range = schemaLines(of: schema.name, in: lines) {
                lines.replaceSubrange(range, with: render(schema))
            }
        }
        try lines.joined(separator: "\n").write(to: path, atomically: true, encoding: .utf8)
    }
}
