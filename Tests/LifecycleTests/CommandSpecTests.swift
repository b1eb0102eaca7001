import Foundation
import Testing

@testable import Lifecycle

/// Each command's spec against its struct, and commands built from field dictionaries.
@Suite struct CommandSpecTests {
    @Test func everyCommandHasASchemaInCatalogueOrder() {
        #expect(Command.schemas.map(\.name) == Command.names)
    }

    /// The spec's keys are the struct's properties, with the types the spec reads: a full set of fields
    /// decodes, and the command's fields read back are exactly the ones given.
    @Test(arguments: Command.names) func specAndStructAgree(_ name: String) throws {
        let schema = schema(name)
        let fields = Self.sample(schema.fields + FieldSpec.common)
        let command = try Command.decode(name: schema.name, fields: fields)
        #expect(command.fields == fields)
        #expect(try command.payload.validated().command == command)
    }

    /// Every optional field of the spec is optional in the struct.
    @Test(arguments: Command.names) func requiredFieldsAreEnough(_ name: String) throws {
        let schema = schema(name)
        let fields = Self.sample((schema.fields + FieldSpec.common).filter(\.presence.isRequired))
        let command = try Command.decode(name: schema.name, fields: fields)
        #expect(command.fields == fields)
    }

    @Test func fieldsAndJSONBuildTheSameCommand() throws {
        let fromFields = try Command.decode(
            name: "complete-test-run",
            fields: [
                "runId": "run-88", "suite": "unit", "sha": "9FCEB02", "passed": 3, "failed": 1, "skipped": 0,
                "failingTests": ["pays"], "durationSeconds": 2, "service": "web", "occurredAt": .date(earlier),
            ])
        let fromJSON = try decode(
            "complete-test-run",
            #"""
            {"runId": "run-88", "suite": "unit", "sha": "9FCEB02", "passed": 3, "failed": 1, "skipped": 0,
             "failingTests": ["pays"], "durationSeconds": 2, "service": "web", "occurredAt": "2025-03-01T11:59:00Z"}
            """#)
        #expect(fromFields == fromJSON)
        #expect(fromFields.streamId == "testrun-run-88")
    }

    static let badFields: [(CommandFields, Expected)] = [
        (["storyId": "PROJ-12"], Expected("missing_field", "service")),
        (["storyId": 12, "service": "web"], Expected("invalid_field", "storyId")),
        (["storyId": "PROJ/12", "service": "web"], Expected("invalid_field", "storyId")),
        (
            ["storyId": "PROJ-12", "service": "web", "occurredAt": "2025-03-01T11:59:00Z"],
            Expected("invalid_field", "occurredAt")
        ),
        (["storyId": "PROJ-12", "service": "web", "team": ["a"]], Expected("invalid_field", "team")),
    ]

    @Test(arguments: badFields)
    func fieldDictionariesAreRefusedAsBodiesAre(fields: CommandFields, expected: Expected) {
        #expect(refusal("start-story", fields) == expected)
    }

    @Test func rangesKeepTheirCodes() {
        #expect(
            refusal("prioritize-story", ["storyId": "P-1", "priority": 9, "service": "web"])
                == Expected("priority_out_of_range", "priority"))
        #expect(refusal("delete-story", [:]) == Expected("unknown_command", nil))
    }

    @Test func aNumberFieldTakesAnInteger() throws {
        let command = try Command.decode(
            name: "recover-metric", fields: ["metric": "latency.p99", "value": 3, "service": "web"])
        #expect(command == .recoverMetric(RecoverMetric(metric: "latency.p99", value: 3, service: "web")))
    }

    /// A valid value for each field, from what its schema says.
    static func sample(_ fields: [FieldSpec]) -> CommandFields {
        CommandFields(Dictionary(uniqueKeysWithValues: fields.map { ($0.key, sample($0)) }))
    }

    static func sample(_ field: FieldSpec) -> FieldValue {
        switch field.typeName {
        case "id": .string("ID-1")
        case "SHA": .string("9fceb02")
        case "date": .date(earlier)
        case "integer": .integer(field.schema.minimum ?? 0)
        case "number": .number(1.5)
        case "array of ids": .strings(["ID-1", "ID-2"])
        case "array of strings": .strings([])
        default: .string(example(field) ?? "text")
        }
    }

    /// The example a pattern's rule gives (`… e.g. `checkout-api``).
    static func example(_ field: FieldSpec) -> String? {
        guard field.schema.pattern != nil, let start = field.rule.range(of: "e.g. `") else { return nil }
        return String(field.rule[start.upperBound...].prefix { $0 != "`" })
    }
}

/// The code and field `Command.decode(name:fields:)` refuses fields with, or nil if they decode.
func refusal(_ name: String, _ fields: CommandFields) -> Expected? {
    do {
        _ = try Command.decode(name: name, fields: fields)
        return nil
    } catch {
        return Expected(error.code, error.field)
    }
}

/// The schema of a command, by name: test arguments are names, which read well in the results.
func schema(_ name: String) -> CommandSchema {
    Command.schemas.first { $0.name == name }!
}
