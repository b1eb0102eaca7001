import ArgumentParser
import EventStore
import Logging
import Postgres
import Projections
import ServiceLifecycle
import UnixSignals

struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract: "Run the projection workers (without the servers) until SIGINT or SIGTERM.",
        discussion: """
            Any number of processes may run workers against one database: each projection is owned by \
            one worker at a time, and another takes it over within a few seconds when its owner dies. \
            `loopline serve` runs workers too, unless given --no-workers.
            """)

    @OptionGroup var options: GlobalOptions

    @Option(help: "Most database connections to hold.")
    var maxConnections: Int = 4

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: maxConnections, logger: logger)
        try await Output.run {
            try await Migrator(client: client, migrations: try options.migrations(), logger: logger).requireUpToDate()
            let store = EventStore(client: client, logger: logger)
            let workers = ProjectionService(store: store, client: client, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [client, store, workers], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
