import ArgumentParser
import EventStore
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the schema migrations the database lacks (safe to run concurrently and repeatedly).")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            let report = try await Migrator(client: client, migrations: try options.migrations(), logger: logger).migrate()
            try Output.json(report)
        }
        await client.close()
    }
}
