import ArgumentParser
import EventStore
import Foundation
import Logging
import Postgres
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API (GET /health for now) until SIGINT or SIGTERM.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "HTTP bind address HOST:PORT (default: $LOOPLINE_HTTP or 127.0.0.1:8080).")
    var http: String?

    @Option(help: "Most database connections to hold.")
    var maxConnections: Int = 10

    func run() async throws {
        let logger = options.logger()
        let client = options.client(maxConnections: maxConnections, logger: logger)
        try await Output.run {
            let address = http ?? options.environment["LOOPLINE_HTTP"] ?? "127.0.0.1:8080"
            let configuration: ServerConfiguration
            do { configuration = try ServerConfiguration(address: address) } catch {
                throw EventStoreError(.invalidArgument, "\(error)", field: "http")
            }
            let migrator = Migrator(client: client, migrations: try options.migrations(), logger: logger)
            try await migrator.requireUpToDate()
            let store = EventStore(client: client, logger: logger)
            logger.info(
                "serving",
                metadata: ["loopline.http": "\(configuration.host):\(configuration.port)", "loopline.database": "\(client.configuration.targetDescription)"])
            try await serve(configuration: configuration, store: store, migrator: migrator, logger: logger)
        }
    }
}
