import ArgumentParser
import EventStore
import Foundation
import Postgres
import Projections

struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "The analytics schema: read-only views over the log and the read models for BI tools.",
        subcommands: [Views.self, GrantReader.self])

    struct Views: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "views",
            abstract: "Create (or recreate) the analytics views and list them.",
            discussion: "Workers keep the views in step with the read models; this is for a first look, or after a manual change.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let logger = options.logger()
            let client = options.client(maxConnections: 1, logger: logger)
            try await Output.run {
                let files = try options.schemaFiles()
                try await Migrator(client: client, migrations: files.migrations, logger: logger).requireUpToDate()
                try await AnalyticsViews.refresh(files, client: client)
                for (view, summary) in try await AnalyticsViews.list(client: client) {
                    try Output.json(["view": "\(AnalyticsViews.schema).\(view)", "summary": summary])
                }
            }
            await client.close()
        }
    }

    struct GrantReader: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-reader",
            abstract: "Create (or update) a login role that can read the analytics views and nothing else.",
            discussion: """
                Example: LOOPLINE_ANALYTICS_PASSWORD=... loopline analytics grant-reader grafana --password-env LOOPLINE_ANALYTICS_PASSWORD

                The role gets USAGE on the analytics schema and SELECT on its views only; its transactions are \
                read-only. The password is hashed (SCRAM) before it is sent, and never printed or logged. \
                Needs a database user allowed to create roles.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The role's name.")
        var role: String

        @Option(help: "The environment variable holding the role's password (none: the role keeps its password, or has none).")
        var passwordEnv: String?

        func run() async throws {
            let logger = options.logger()
            let client = options.client(maxConnections: 1, logger: logger)
            try await Output.run {
                var password: String?
                if let passwordEnv {
                    guard let value = ProcessInfo.processInfo.environment[passwordEnv], !value.isEmpty else {
                        throw ValidationError("\(passwordEnv) is not set")
                    }
                    password = value
                }
                let files = try options.schemaFiles()
                try await Migrator(client: client, migrations: files.migrations, logger: logger).requireUpToDate()
                try await AnalyticsViews.grantReader(role, password: password, files: files, client: client)
                try Output.json(["role": role, "schema": AnalyticsViews.schema, "password": password == nil ? "unchanged" : "set"])
            }
            await client.close()
        }
    }
}
