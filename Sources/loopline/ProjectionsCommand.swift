import ArgumentParser
import EventStore
import Postgres
import Projections

struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections",
        abstract: "Show each read model's projection: position, lag, owner, state and last error.")

    @OptionGroup var options: GlobalOptions

    struct Printed: Encodable {
        var projections: [ProjectionStatus]
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: 1, logger: logger)
        try await Output.run {
            try await Migrator(client: client, migrations: try options.migrations(), logger: logger).requireUpToDate()
            try Output.json(Printed(projections: try await ProjectionStatus.all(ReadModels.all, client: client)))
        }
        await client.close()
    }
}
