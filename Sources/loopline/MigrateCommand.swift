import ArgumentParser
import EventStore
import Postgres
import Projections

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the schema migrations the database lacks (safe to run concurrently and repeatedly).")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            let files = try options.schemaFiles()
            let report = try await Migrator(client: client, migrations: files.migrations, logger: logger).migrate()
            // Views over whatever read models exist (the log's view at least).
            try await AnalyticsViews.refresh(files, client: client)
            try Output.json(report)
        }
        await client.close()
    }
}
