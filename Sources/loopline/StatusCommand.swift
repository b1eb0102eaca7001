import ArgumentParser
import EventStore
import Ingest
import Postgres
import Projections

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the database, the schema version, the log's head, whether readers are held back and by what, and the projections.")

    @OptionGroup var options: GlobalOptions

    struct Printed: Encodable {
        struct Database: Encodable {
            var target: String
            var name: String
            var serverVersion: String
        }
        var database: Database
        var schema: Migrator.Status
        var log: LogStatus?
        var projections: [ProjectionStatus]?
        /// Webhook deliveries waiting for a retry (docs/ingest.md).
        var deadLetters: Int?
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            let (name, version) = try await client.withConnection { connection in
                let row = try connection.query("SELECT current_database(), current_setting('server_version')")[0]
                return (try row.decode(0, as: String.self), try row.decode(1, as: String.self))
            }
            let schema = try await Migrator(client: client, migrations: try options.migrations(), logger: logger).status()
            let log = schema.currentVersion > 0 ? try await EventStore(client: client, logger: logger).status() : nil
            let projections = schema.isUpToDate ? try await ProjectionStatus.all(ReadModels.all, client: client) : nil
            let deadLetters = schema.isUpToDate
                ? try await DeliveryStore(store: EventStore(client: client, logger: logger)).deadLetterCount() : nil
            try Output.json(
                Printed(
                    database: .init(target: client.configuration.targetDescription, name: name, serverVersion: version),
                    schema: schema, log: log, projections: projections, deadLetters: deadLetters))
        }
        await client.close()
    }
}
