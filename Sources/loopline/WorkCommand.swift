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

    @Option(help: "Events applied per transaction.")
    var batchSize = 500

    @Option(help: "Seconds a worker's claim on a projection lasts without renewal: how long a dead worker's projections wait for another to take them over.")
    var leaseSeconds = 5

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be from 1 to 10000") }
        guard (2...300).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be from 2 to 300") }
    }

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: maxConnections, logger: logger)
        try await Output.run {
            let files = try options.schemaFiles()
            try await Migrator(client: client, migrations: files.migrations, logger: logger).requireUpToDate()
            let store = EventStore(client: client, logger: logger)
            let options = ProjectionOptions(
                batchSize: batchSize, lease: .seconds(leaseSeconds), renewEvery: .seconds(leaseSeconds) / 5)
            let workers = try ProjectionService(files: files, store: store, client: client, options: options, logger: logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [client, store, workers], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
