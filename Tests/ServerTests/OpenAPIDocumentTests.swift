import Foundation
import Lifecycle
import LooplineTestSupport
import Testing

/// docs/openapi.yaml describes the server's routes; this keeps it in step with the code
/// (`OpenAPIRequestSchemaTests` checks each command's request schema against its spec).
/// (CI also runs schemathesis against the live server: `make openapi-check`.)
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let document = (try? String(
        contentsOf: TestEnvironment.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)) ?? ""

    @Test("it describes exactly the commands the server knows")
    func commands() throws {
        let documented = Set(Self.document.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\"/v1/commands/"), trimmed.hasSuffix("\":") else { return nil }
            return String(trimmed.dropFirst("\"/v1/commands/".count).dropLast(2))
        })
        #expect(!documented.isEmpty)
        #expect(documented == Set(Command.names))
    }

    @Test("it describes every route", arguments: [
        "\"/v1/commands\":", "\"/v1/events\":", "\"/v1/streams/{stream}\":", "\"/health\":", "\"/ready\":", "\"/metrics\":",
        "\"/v1/stages/{stage}/{query}\":", "\"/v1/dora\":", "\"/v1/value-stream/stories/{id}\":", "\"/v1/projections\":",
        "\"/v1/exports/{file}\":", "\"/v1/ingest/{kind}/{source}\":", "\"/v1/sources\":", "\"/v1/sources/{name}\":",
        "\"/v1/sources/{name}/rotate-secret\":", "\"/v1/deliveries\":", "\"/v1/deliveries/{id}\":", "\"/v1/deliveries/{id}/retry\":",
        "\"/v1/deliveries/retry-dead\":",
    ])
    func routes(_ key: String) {
        #expect(Self.document.contains(key))
    }
}
