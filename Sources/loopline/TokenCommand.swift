import Access
import ArgumentParser
import Foundation
import Postgres

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens (talks to the database directly).",
        subcommands: [Create.self, List.self, Revoke.self, Bootstrap.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once, as JSON: its `token` field is the secret.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "A name for the token, e.g. the pipeline that uses it.")
        var name: String

        @Option(parsing: .upToNextOption, help: "ingest, read or admin (admin implies the others); repeatable.")
        var scope: [String]

        func run() async throws {
            try await TokenCommand.withTokens(options) { tokens in
                let scopes = try Set(scope.flatMap { $0.split(separator: ",") }.map { text in
                    guard let scope = Scope(rawValue: String(text)) else {
                        throw AccessError(code: "invalid_scope", message: "unknown scope \"\(text)\": use ingest, read or admin", field: "scope")
                    }
                    return scope
                })
                try Output.json(try await tokens.create(name: name, scopes: scopes))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets) as a JSON array.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Include revoked tokens.")
        var all = false

        func run() async throws {
            try await TokenCommand.withTokens(options) { tokens in try Output.json(try await tokens.list(includeRevoked: all)) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name or id.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The token's name or id.")
        var token: String

        func run() async throws {
            try await TokenCommand.withTokens(options) { tokens in try Output.json(try await tokens.revoke(token)) }
        }
    }

    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an admin token if no active token exists (make run uses it on first start).",
            discussion: #"Prints {"created": true, "token": ...} the first time, {"created": false} afterwards."#)

        @OptionGroup var options: GlobalOptions

        struct Printed: Encodable {
            var created: Bool
            var token: String?
            var name: String?
        }

        func run() async throws {
            try await TokenCommand.withTokens(options) { tokens in
                let issued = try await tokens.bootstrapAdmin()
                try Output.json(Printed(created: issued != nil, token: issued?.token, name: issued?.name))
            }
        }
    }

    static func withTokens(_ options: GlobalOptions, _ body: (TokenStore) async throws -> Void) async throws {
        let client = options.client(maxConnections: 1, logger: options.logger())
        try await Output.run {
            do {
                try await body(TokenStore(client: client))
            } catch let error as AccessError {
                try Output.fail(.init(code: error.code, message: error.message, field: error.field), exit: Output.Exit.failure)
            }
        }
        await client.close()
    }
}
