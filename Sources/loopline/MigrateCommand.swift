import ArgumentParser
import EventStore
import Logging
import Postgres
import Projections

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the schema migrations the database lacks (safe to run concurrently and repeatedly).",
        discussion: "Prints one JSON line, the files applied and the schema version; stderr stays quiet unless something fails.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Log each migration on stderr as it is applied (the debug log level).")
    var verbose = false

    func run() async throws {
        var logger = options.logger()
        if verbose { logger.logLevel = min(logger.logLevel, .debug) }
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
